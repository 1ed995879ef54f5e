#include "model/run_manifest.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace fabro::model;

namespace {

// The minimal valid body of reference §2.1.
const std::string kMinimal = R"({
  "version": 1,
  "cwd": "/tmp",
  "target": {"identifier": "workflow.fabro", "path": "workflow.fabro"},
  "workflows": {
    "workflow.fabro": {
      "source": "digraph T { graph [goal=\"Test\"] start [shape=Mdiamond] exit [shape=Msquare] start -> exit }",
      "files": {}
    }
  }
})";

// The full body of reference §2.1, every field set.
const std::string kFull = R"({
  "version": 1,
  "run_id": "01JRZ3NDEKTSV4RRFFQ69G5FAV",
  "cwd": "/home/dev/app",
  "git": {"origin_url": "https://github.com/acme/app.git", "branch": "main", "sha": "0123abcd", "clean": true},
  "goal": {"type": "file", "path": "goal.md", "text": "Add rate limiting"},
  "args": {"model": "claude-sonnet-4-5", "provider": "anthropic", "sandbox": "local",
           "dry_run": true, "auto_approve": true, "no_retro": true, "preserve_sandbox": false,
           "verbose": true, "label": ["team=infra"]},
  "target": {"identifier": "smoke", "path": ".fabro/workflows/smoke/workflow.fabro"},
  "configs": [
    {"type": "project", "path": "/home/dev/app/.fabro/project.toml", "source": "_version = 1\n"},
    {"type": "user", "path": "/home/dev/.fabro/settings.toml", "source": "_version = 1\n"}
  ],
  "workflows": {
    ".fabro/workflows/smoke/workflow.fabro": {
      "source": "digraph Smoke { graph [goal=\"x\"] start [shape=Mdiamond] work [prompt=\"@prompts/work.md\"] exit [shape=Msquare] start -> work -> exit }",
      "config": {"path": ".fabro/workflows/smoke/workflow.toml", "source": "_version = 1\n"},
      "files": {
        ".fabro/workflows/smoke/prompts/work.md": {
          "content": "Do the work.",
          "ref": {"type": "file_inline", "original": "@prompts/work.md", "from": ".fabro/workflows/smoke/workflow.fabro"}
        }
      }
    }
  }
})";

// A manifest with a single workflow "w" whose body is `workflow`, plus
// `extra` top-level members (each with a trailing comma).
std::string with_workflow(const std::string& workflow, const std::string& extra = "") {
  return R"({)" + extra +
         R"("version":1,"cwd":"/tmp","target":{"identifier":"w","path":"w"},)"
         R"("workflows":{"w":)" +
         workflow + "}}";
}

// A valid manifest plus `extra` top-level members (each with a trailing comma).
std::string with_fields(const std::string& extra) {
  return with_workflow(R"({"source":"digraph{}"})", extra);
}

// A manifest whose single workflow has one file entry `entry`.
std::string with_file(const std::string& entry) {
  return with_workflow(R"({"source":"s","files":{"a.md":)" + entry + "}}");
}

std::string detail_of(const std::string& body) {
  auto m = parse_manifest(body);
  if (m) return "<parsed>";
  CHECK(m.error().code == errc::invalid_request);
  return m.error().detail;
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

// ---------------------------------------------------------------- valid bodies

TEST_CASE("the minimal manifest parses with every optional part absent", "[model]") {
  auto m = parse_manifest(kMinimal);
  REQUIRE(m);
  CHECK(m->version == 1);
  CHECK(m->cwd == "/tmp");
  CHECK(m->target.identifier == "workflow.fabro");
  CHECK(m->target.path == "workflow.fabro");
  REQUIRE(m->workflows.size() == 1);
  const auto& wf = m->target_workflow();
  CHECK(wf.source.find("digraph T") == 0);
  CHECK(wf.source.find("goal=\"Test\"") != std::string::npos);  // escapes decoded
  CHECK_FALSE(wf.config);
  CHECK(wf.files.empty());
  CHECK_FALSE(m->run_id);
  CHECK_FALSE(m->git);
  CHECK_FALSE(m->goal);
  CHECK_FALSE(m->args.model);
  CHECK_FALSE(m->args.verbose);
  CHECK(m->args.label.empty());
  CHECK(m->configs.empty());
}

TEST_CASE("the full manifest parses every field into the struct", "[model]") {
  auto m = parse_manifest(kFull);
  REQUIRE(m);
  CHECK(m->version == 1);
  CHECK(m->run_id == std::optional<std::string>("01JRZ3NDEKTSV4RRFFQ69G5FAV"));
  CHECK(m->cwd == "/home/dev/app");

  REQUIRE(m->git);
  CHECK(m->git->origin_url == "https://github.com/acme/app.git");
  CHECK(m->git->branch == "main");
  CHECK(m->git->sha == "0123abcd");
  CHECK(m->git->clean == true);

  REQUIRE(m->goal);
  CHECK(m->goal->type == goal_type::file);
  CHECK(m->goal->path == std::optional<std::string>("goal.md"));
  CHECK(m->goal->text == "Add rate limiting");

  CHECK(m->args.model == std::optional<std::string>("claude-sonnet-4-5"));
  CHECK(m->args.provider == std::optional<std::string>("anthropic"));
  CHECK(m->args.sandbox == std::optional<std::string>("local"));
  CHECK(m->args.dry_run == std::optional<bool>(true));
  CHECK(m->args.auto_approve == std::optional<bool>(true));
  CHECK(m->args.no_retro == std::optional<bool>(true));
  CHECK(m->args.preserve_sandbox == std::optional<bool>(false));
  CHECK(m->args.verbose == std::optional<bool>(true));
  CHECK(m->args.label == std::vector<std::string>{"team=infra"});

  CHECK(m->target.identifier == "smoke");
  CHECK(m->target.path == ".fabro/workflows/smoke/workflow.fabro");

  REQUIRE(m->configs.size() == 2);
  CHECK(m->configs[0].type == config_type::project);
  CHECK(m->configs[0].path == std::optional<std::string>("/home/dev/app/.fabro/project.toml"));
  CHECK(m->configs[0].source == std::optional<std::string>("_version = 1\n"));
  CHECK(m->configs[1].type == config_type::user);
  CHECK(m->configs[1].path == std::optional<std::string>("/home/dev/.fabro/settings.toml"));
  CHECK(m->configs[1].source == std::optional<std::string>("_version = 1\n"));

  REQUIRE(m->workflows.size() == 1);
  const auto& wf = m->target_workflow();
  CHECK(wf.source.find("digraph Smoke") == 0);
  REQUIRE(wf.config);
  CHECK(wf.config->path == ".fabro/workflows/smoke/workflow.toml");
  CHECK(wf.config->source == "_version = 1\n");
  REQUIRE(wf.files.size() == 1);
  const auto& file = wf.files.at(".fabro/workflows/smoke/prompts/work.md");
  CHECK(file.content == "Do the work.");
  CHECK(file.ref.type == file_ref_type::file_inline);
  CHECK(file.ref.original == "@prompts/work.md");
  CHECK(file.ref.from == std::optional<std::string>(".fabro/workflows/smoke/workflow.fabro"));
}

TEST_CASE("every enum value of the schema is accepted", "[model]") {
  for (const char* t : {"file_inline", "import", "dockerfile"}) {
    auto m = parse_manifest(
        with_file(std::string(R"({"content":"c","ref":{"type":")") + t + R"(","original":"o"}})"));
    REQUIRE(m);
    CHECK(std::string(to_string(m->target_workflow().files.at("a.md").ref.type)) == t);
  }
  for (const char* t : {"value", "file", "graph"}) {
    auto m = parse_manifest(
        with_fields(std::string(R"("goal":{"type":")") + t + R"(","text":"g"},)"));
    REQUIRE(m);
    CHECK(std::string(to_string(m->goal->type)) == t);
  }
  for (const char* t : {"project", "user"}) {
    auto m = parse_manifest(with_fields(std::string(R"("configs":[{"type":")") + t + R"("}],)"));
    REQUIRE(m);
    CHECK(std::string(to_string(m->configs.at(0).type)) == t);
  }
}

TEST_CASE("a workflow map may hold child workflows beside the target", "[model]") {
  auto m = parse_manifest(
      R"({"version":1,"cwd":"/c","target":{"identifier":"r","path":"root.fabro"},)"
      R"("workflows":{"root.fabro":{"source":"root"},"child.fabro":{"source":"child"}}})");
  REQUIRE(m);
  CHECK(m->workflows.size() == 2);
  CHECK(m->target_workflow().source == "root");
  CHECK(m->workflows.at("child.fabro").source == "child");
}

TEST_CASE("a config without path or source is still a config", "[model]") {
  auto m = parse_manifest(with_fields(R"("configs":[{"type":"user"}],)"));
  REQUIRE(m);
  REQUIRE(m->configs.size() == 1);
  CHECK_FALSE(m->configs[0].path);
  CHECK_FALSE(m->configs[0].source);
}

TEST_CASE("strings with escapes and unicode are decoded", "[model]") {
  auto m = parse_manifest(with_fields(R"("goal":{"type":"value","text":"a\"b\\c\n\u00e9\ud83d\ude00"},)"));
  REQUIRE(m);
  CHECK(m->goal->text == "a\"b\\c\n\xC3\xA9\xF0\x9F\x98\x80");
}

// ------------------------------------------------------------- unknown fields

TEST_CASE("unknown fields are ignored at every level", "[model]") {
  auto m = parse_manifest(R"({
    "version": 1, "future": {"deep": [1, {"x": null}]},
    "cwd": "/tmp", "zzz": "last",
    "git": {"origin_url": "u", "branch": "b", "sha": "s", "clean": false, "dirty_files": 3},
    "goal": {"type": "value", "text": "t", "extra": true},
    "args": {"label": ["a=b"], "new_flag": true},
    "target": {"identifier": "w", "path": "w", "kind": "file"},
    "configs": [{"type": "user", "priority": 7}],
    "workflows": {
      "w": {
        "source": "s", "checksum": "abc",
        "config": {"path": "p", "source": "t", "format": "toml"},
        "files": {"a.md": {"content": "c", "mode": 420,
                           "ref": {"type": "import", "original": "o", "line": 3}}}
      }
    }
  })");
  REQUIRE(m);
  CHECK(m->cwd == "/tmp");
  CHECK(m->git->branch == "b");
  CHECK(m->goal->text == "t");
  CHECK(m->args.label == std::vector<std::string>{"a=b"});
  CHECK(m->target.path == "w");
  CHECK(m->configs.size() == 1);
  CHECK(m->target_workflow().config->source == "t");
  CHECK(m->target_workflow().files.at("a.md").ref.type == file_ref_type::import);
}

TEST_CASE("fields are read in any order", "[model]") {
  auto m = parse_manifest(
      R"({"workflows":{"w":{"files":{},"source":"s"}},"target":{"path":"w","identifier":"i"},)"
      R"("cwd":"/x","version":1})");
  REQUIRE(m);
  CHECK(m->cwd == "/x");
  CHECK(m->target.identifier == "i");
}

// ------------------------------------------------------------ null is absent

TEST_CASE("null counts as absent for every optional field", "[model]") {
  auto m = parse_manifest(R"({
    "version": 1, "cwd": "/tmp", "run_id": null, "git": null, "goal": null,
    "args": {"model": null, "provider": null, "sandbox": null, "verbose": null,
             "dry_run": null, "auto_approve": null, "no_retro": null,
             "preserve_sandbox": null, "label": null},
    "configs": [{"type": "project", "path": null, "source": null}],
    "target": {"identifier": "w", "path": "w"},
    "workflows": {"w": {"source": "s", "config": null,
                        "files": {"a": {"content": "c",
                                        "ref": {"type": "dockerfile", "original": "o", "from": null}}}}}
  })");
  REQUIRE(m);
  CHECK_FALSE(m->run_id);
  CHECK_FALSE(m->git);
  CHECK_FALSE(m->goal);
  CHECK_FALSE(m->args.model);
  CHECK_FALSE(m->args.provider);
  CHECK_FALSE(m->args.sandbox);
  CHECK_FALSE(m->args.verbose);
  CHECK_FALSE(m->args.dry_run);
  CHECK_FALSE(m->args.auto_approve);
  CHECK_FALSE(m->args.no_retro);
  CHECK_FALSE(m->args.preserve_sandbox);
  CHECK(m->args.label.empty());
  CHECK_FALSE(m->configs.at(0).path);
  CHECK_FALSE(m->configs.at(0).source);
  CHECK_FALSE(m->target_workflow().config);
  CHECK_FALSE(m->target_workflow().files.at("a").ref.from);
}

TEST_CASE("null args, configs, files and goal path count as absent", "[model]") {
  auto m = parse_manifest(with_workflow(R"({"source":"s","files":null})",
                                        R"("args":null,"configs":null,)"
                                        R"("goal":{"type":"graph","text":"t","path":null},)"));
  REQUIRE(m);
  CHECK(m->configs.empty());
  CHECK(m->target_workflow().files.empty());
  CHECK_FALSE(m->goal->path);
}

TEST_CASE("null is not accepted for a required field", "[model]") {
  CHECK(detail_of(R"({"version":1,"cwd":null,"target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "invalid type: null, expected a string at cwd");
  CHECK(detail_of(R"({"version":null,"cwd":"/","target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "invalid type: null, expected i64 at version");
  CHECK(starts_with(detail_of(R"({"version":1,"cwd":"/","target":null,)"
                              R"("workflows":{"w":{"source":"s"}}})"),
                    "invalid type: null"));
  CHECK(starts_with(detail_of(R"({"version":1,"cwd":"/","target":{"identifier":"w","path":"w"},)"
                              R"("workflows":null})"),
                    "invalid type: null"));
  CHECK(starts_with(detail_of(with_workflow(R"({"source":null})")), "invalid type: null"));
}

// ------------------------------------------------------------ missing fields

TEST_CASE("each missing top-level field is named", "[model]") {
  const std::string target = R"("target":{"identifier":"w","path":"w"})";
  const std::string workflows = R"("workflows":{"w":{"source":"s"}})";
  CHECK(detail_of(R"({"cwd":"/",)" + target + "," + workflows + "}") ==
        "missing field `version`");
  CHECK(detail_of(R"({"version":1,)" + target + "," + workflows + "}") ==
        "missing field `cwd`");
  CHECK(detail_of(R"({"version":1,"cwd":"/",)" + workflows + "}") ==
        "missing field `target`");
  CHECK(detail_of(R"({"version":1,"cwd":"/",)" + target + "}") ==
        "missing field `workflows`");
  CHECK(detail_of("{}") == "missing field `version`");
}

TEST_CASE("each missing nested field is named with its path", "[model]") {
  const std::string wf = R"("workflows":{"w":{"source":"s"}})";
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":{"path":"w"},)" + wf + "}") ==
        "missing field `identifier` at target");
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":{"identifier":"w"},)" + wf + "}") ==
        "missing field `path` at target");
  CHECK(detail_of(with_workflow(R"({"files":{}})")) == "missing field `source` at workflows.w");
  CHECK(detail_of(with_workflow(R"({"source":"s","config":{"source":"t"}})")) ==
        "missing field `path` at workflows.w.config");
  CHECK(detail_of(with_workflow(R"({"source":"s","config":{"path":"p"}})")) ==
        "missing field `source` at workflows.w.config");
  CHECK(detail_of(with_file(R"({"ref":{"type":"import","original":"o"}})")) ==
        "missing field `content` at workflows.w.files.a.md");
  CHECK(detail_of(with_file(R"({"content":"c"})")) ==
        "missing field `ref` at workflows.w.files.a.md");
  CHECK(detail_of(with_file(R"({"content":"c","ref":{"original":"o"}})")) ==
        "missing field `type` at workflows.w.files.a.md.ref");
  CHECK(detail_of(with_file(R"({"content":"c","ref":{"type":"import"}})")) ==
        "missing field `original` at workflows.w.files.a.md.ref");
}

TEST_CASE("each missing git, goal and config field is named with its path", "[model]") {
  const std::string git_all = R"("origin_url":"u","branch":"b","sha":"s","clean":true)";
  for (const char* field : {"origin_url", "branch", "sha", "clean"}) {
    // Drop `field` from the git object.
    std::string git = "{";
    for (const char* other : {"origin_url", "branch", "sha", "clean"}) {
      if (std::string(other) == field) continue;
      if (git.size() > 1) git += ",";
      git += std::string("\"") + other + "\":" + (std::string(other) == "clean" ? "true" : "\"x\"");
    }
    git += "}";
    CHECK(detail_of(with_fields(R"("git":)" + git + ",")) ==
          std::string("missing field `") + field + "` at git");
  }
  CHECK(parse_manifest(with_fields(R"("git":{)" + git_all + "},")));
  CHECK(detail_of(with_fields(R"("goal":{"text":"t"},)")) == "missing field `type` at goal");
  CHECK(detail_of(with_fields(R"("goal":{"type":"value"},)")) == "missing field `text` at goal");
  CHECK(detail_of(with_fields(R"("configs":[{"type":"user"},{"path":"p"}],)")) ==
        "missing field `type` at configs.1");
}

// ---------------------------------------------------------------- wrong types

TEST_CASE("a value of the wrong type is rejected naming the field", "[model]") {
  CHECK(detail_of(R"({"version":"1","cwd":"/","target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "invalid type: string, expected i64 at version");
  CHECK(detail_of(R"({"version":1.5,"cwd":"/","target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "invalid type: number, expected i64 at version");
  CHECK(detail_of(R"({"version":1,"cwd":7,"target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "invalid type: number, expected a string at cwd");
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":"w","workflows":{"w":{"source":"s"}}})") ==
        "invalid type: string, expected struct ManifestTarget at target");
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":{"identifier":"w","path":"w"},)"
                  R"("workflows":[]})") == "invalid type: sequence, expected a map at workflows");
  CHECK(detail_of(with_workflow(R"("digraph{}")")) ==
        "invalid type: string, expected struct ManifestWorkflow at workflows.w");
  CHECK(detail_of(with_workflow(R"({"source":["s"]})")) ==
        "invalid type: sequence, expected a string at workflows.w.source");
  CHECK(detail_of(with_workflow(R"({"source":"s","files":[]})")) ==
        "invalid type: sequence, expected a map at workflows.w.files");
  CHECK(detail_of(with_file(R"({"content":1,"ref":{"type":"import","original":"o"}})")) ==
        "invalid type: number, expected a string at workflows.w.files.a.md.content");
  CHECK(detail_of(with_fields(R"("run_id":5,)")) ==
        "invalid type: number, expected a string at run_id");
  CHECK(detail_of(with_fields(R"("git":{"origin_url":"u","branch":"b","sha":"s","clean":"yes"},)")) ==
        "invalid type: string, expected a boolean at git.clean");
  CHECK(detail_of(with_fields(R"("args":{"verbose":1},)")) ==
        "invalid type: number, expected a boolean at args.verbose");
  CHECK(detail_of(with_fields(R"("args":{"model":false},)")) ==
        "invalid type: boolean, expected a string at args.model");
  CHECK(detail_of(with_fields(R"("args":{"label":"team=infra"},)")) ==
        "invalid type: string, expected a sequence at args.label");
  CHECK(detail_of(with_fields(R"("args":{"label":["a=b",3]},)")) ==
        "invalid type: number, expected a string at args.label.1");
  CHECK(detail_of(with_fields(R"("args":[],)")) ==
        "invalid type: sequence, expected struct ManifestArgs at args");
  CHECK(detail_of(with_fields(R"("configs":{"type":"user"},)")) ==
        "invalid type: map, expected a sequence at configs");
  CHECK(detail_of(with_fields(R"("configs":["user"],)")) ==
        "invalid type: string, expected struct ManifestConfig at configs.0");
  CHECK(detail_of(with_fields(R"("goal":"fix it",)")) ==
        "invalid type: string, expected struct ManifestGoal at goal");
}

// --------------------------------------------------------------- validations

TEST_CASE("a manifest version other than 1 is unsupported", "[model]") {
  const std::string rest =
      R"("cwd":"/","target":{"identifier":"w","path":"w"},"workflows":{"w":{"source":"s"}}})";
  CHECK(detail_of(R"({"version":2,)" + rest) == "unsupported manifest version 2");
  CHECK(detail_of(R"({"version":0,)" + rest) == "unsupported manifest version 0");
  CHECK(detail_of(R"({"version":-1,)" + rest) == "unsupported manifest version -1");
}

TEST_CASE("a target path that is not a workflows key is rejected", "[model]") {
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":{"identifier":"w","path":"missing"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "manifest target path is missing from workflows map");
  CHECK(detail_of(R"({"version":1,"cwd":"/","target":{"identifier":"w","path":"w"},)"
                  R"("workflows":{}})") ==
        "manifest target path is missing from workflows map");
}

TEST_CASE("an unknown enum value is rejected as an unknown variant", "[model]") {
  auto configs = detail_of(with_fields(R"("configs":[{"type":"bogus"}],)"));
  CHECK(starts_with(configs, "unknown variant `bogus`"));
  CHECK(configs.find("`project` or `user`") != std::string::npos);
  CHECK(configs.find("configs.0.type") != std::string::npos);

  auto goal = detail_of(with_fields(R"("goal":{"type":"bogus","text":"t"},)"));
  CHECK(starts_with(goal, "unknown variant `bogus`"));
  CHECK(goal.find("`value`, `file`, `graph`") != std::string::npos);

  auto ref = detail_of(with_file(R"({"content":"c","ref":{"type":"bogus","original":"o"}})"));
  CHECK(starts_with(ref, "unknown variant `bogus`"));
  CHECK(ref.find("`file_inline`, `import`, `dockerfile`") != std::string::npos);
}

TEST_CASE("enum values are case-sensitive", "[model]") {
  CHECK(starts_with(detail_of(with_fields(R"("configs":[{"type":"Project"}],)")),
                    "unknown variant `Project`"));
  CHECK(starts_with(detail_of(with_fields(R"("goal":{"type":"VALUE","text":"t"},)")),
                    "unknown variant `VALUE`"));
}

TEST_CASE("an enum value of the wrong type is a type error", "[model]") {
  CHECK(detail_of(with_fields(R"("configs":[{"type":1}],)")) ==
        "invalid type: number, expected a string at configs.0.type");
}

TEST_CASE("a run id of the wrong length or alphabet is rejected in Fabro's words", "[model]") {
  CHECK(detail_of(with_fields(R"("run_id":"abc",)")) == "invalid run ID: invalid length");
  CHECK(detail_of(with_fields(R"("run_id":"",)")) == "invalid run ID: invalid length");
  CHECK(detail_of(with_fields(R"("run_id":"01JRZ3NDEKTSV4RRFFQ69G5FAV0",)")) ==
        "invalid run ID: invalid length");
  CHECK(detail_of(with_fields(R"("run_id":"01JRZ3NDEKTSV4RRFFQ69G5FAU",)")) ==
        "invalid run ID: invalid character");
  CHECK(detail_of(with_fields(R"("run_id":"01JRZ3NDEKTSV4RRFFQ69G5FA!",)")) ==
        "invalid run ID: invalid character");
}

TEST_CASE("a lower-case run id is accepted and canonicalised to upper case", "[model]") {
  auto m = parse_manifest(with_fields(R"("run_id":"01jrz3ndektsv4rrffq69g5fav",)"));
  REQUIRE(m);
  CHECK(m->run_id == std::optional<std::string>("01JRZ3NDEKTSV4RRFFQ69G5FAV"));
}

TEST_CASE("a bad version is reported before a bad target or run id", "[model]") {
  // Fabro's order (§2.2 step 4): version, target path, then run id.
  CHECK(detail_of(R"({"version":3,"run_id":"x","cwd":"/","target":{"identifier":"w","path":"nope"},)"
                  R"("workflows":{"w":{"source":"s"}}})") == "unsupported manifest version 3");
  CHECK(detail_of(R"({"version":1,"run_id":"x","cwd":"/","target":{"identifier":"w","path":"nope"},)"
                  R"("workflows":{"w":{"source":"s"}}})") ==
        "manifest target path is missing from workflows map");
}

// ----------------------------------------------------------------- bad JSON

TEST_CASE("a body that is not JSON is rejected as invalid JSON", "[model]") {
  CHECK(starts_with(detail_of(""), "invalid JSON"));
  CHECK(starts_with(detail_of("   \n"), "invalid JSON"));
  CHECK(starts_with(detail_of("{"), "invalid JSON"));
  CHECK(starts_with(detail_of("not json"), "invalid JSON"));
  CHECK(starts_with(detail_of(kMinimal.substr(0, kMinimal.size() - 1)), "invalid JSON"));
  CHECK(starts_with(detail_of(kMinimal.substr(0, 40)), "invalid JSON"));
  CHECK(starts_with(detail_of(R"({"version":1 "cwd":"/"})"), "invalid JSON"));
}

TEST_CASE("trailing content after the manifest object is rejected", "[model]") {
  REQUIRE(parse_manifest(kMinimal));
  CHECK(parse_manifest(kMinimal + " \n\t\r "));  // whitespace is fine
  for (const char* tail : {" xyz", "}", "]", ",", " 1", " {}", " []", " null", "\"x\""}) {
    INFO("tail: " << tail);
    CHECK(starts_with(detail_of(kMinimal + tail), "invalid JSON"));
  }
  CHECK(starts_with(detail_of(kMinimal + kMinimal), "invalid JSON"));  // a second document
}

TEST_CASE("malformed JSON inside an ignored field is still rejected", "[model]") {
  CHECK(starts_with(detail_of(with_fields(R"("x":tru,)")), "invalid JSON"));
  CHECK(starts_with(detail_of(with_fields(R"("x":[1,2,],)")), "invalid JSON"));
  CHECK(starts_with(detail_of(with_fields(R"("x":{"a"},)")), "invalid JSON"));
  CHECK(starts_with(detail_of(with_fields(R"("x":"\q",)")), "invalid JSON"));
}

TEST_CASE("an invalid escape in a known string field is invalid JSON", "[model]") {
  CHECK(starts_with(detail_of(R"({"version":1,"cwd":"\x","target":{"identifier":"w","path":"w"},)"
                              R"("workflows":{"w":{"source":"s"}}})"),
                    "invalid JSON"));
}

TEST_CASE("invalid UTF-8 is rejected as invalid JSON", "[model]") {
  CHECK(starts_with(detail_of(with_fields("\"x\":\"\xff\xfe\",")), "invalid JSON"));
}

TEST_CASE("a root that is not an object is a type error", "[model]") {
  CHECK(detail_of("[]") == "invalid type: sequence, expected struct RunManifest");
  CHECK(detail_of(R"("x")") == "invalid type: string, expected struct RunManifest");
  CHECK(detail_of("1") == "invalid type: number, expected struct RunManifest");
  CHECK(detail_of("null") == "invalid type: null, expected struct RunManifest");
  CHECK(detail_of("true") == "invalid type: boolean, expected struct RunManifest");
}

TEST_CASE("very deep nesting is rejected without crashing", "[model]") {
  for (size_t depth : {2000u, 100000u}) {
    std::string deep = std::string(depth, '[') + std::string(depth, ']');
    CHECK(starts_with(detail_of(with_fields(R"("x":)" + deep + ",")), "invalid JSON"));
    std::string unclosed = with_fields(R"("x":)" + std::string(depth, '{'));
    CHECK(starts_with(detail_of(unclosed), "invalid JSON"));
  }
  std::string objects;
  for (int i = 0; i < 5000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(5000, '}');
  CHECK(starts_with(detail_of(with_fields(R"("x":)" + objects + ",")), "invalid JSON"));
}

TEST_CASE("moderate nesting in an ignored field is accepted", "[model]") {
  std::string nested = std::string(100, '[') + std::string(100, ']');
  CHECK(parse_manifest(with_fields(R"("x":)" + nested + ",")));
}

// -------------------------------------------------------------------- labels

TEST_CASE("labels keep k=v entries and drop entries without '='", "[model]") {
  auto m = parse_manifest(with_fields(R"("args":{"label":["team=infra","bad"]},)"));
  REQUIRE(m);
  CHECK(manifest_labels(*m) == std::map<std::string, std::string>{{"team", "infra"}});
}

TEST_CASE("labels split at the first '=' and allow empty keys and values", "[model]") {
  run_manifest m;
  m.args.label = {"k=", "=v", "a=b=c", "", "="};
  CHECK(manifest_labels(m) == std::map<std::string, std::string>{
                                  {"k", ""}, {"", ""}, {"a", "b=c"}});
  m.args.label = {"=v"};
  CHECK(manifest_labels(m) == std::map<std::string, std::string>{{"", "v"}});
}

TEST_CASE("a repeated label key keeps the last value", "[model]") {
  run_manifest m;
  m.args.label = {"team=a", "team=b"};
  CHECK(manifest_labels(m) == std::map<std::string, std::string>{{"team", "b"}});
}

TEST_CASE("a manifest without labels has no labels", "[model]") {
  auto m = parse_manifest(kMinimal);
  REQUIRE(m);
  CHECK(manifest_labels(*m).empty());
}

// ------------------------------------------------------------------ reuse

TEST_CASE("parsing again after a failure gives a fresh result", "[model]") {
  CHECK_FALSE(parse_manifest(kMinimal + " xyz"));
  CHECK_FALSE(parse_manifest("{"));
  auto m = parse_manifest(kFull);
  REQUIRE(m);
  CHECK(m->args.label.size() == 1);
  auto again = parse_manifest(kMinimal);
  REQUIRE(again);
  CHECK(again->configs.empty());
  CHECK(again->args.label.empty());
}

TEST_CASE("a field given twice in one object is refused, as serde does", "[model]") {
  CHECK(starts_with(detail_of(with_fields(R"("cwd":"/a",)")), "duplicate field `cwd`"));
  CHECK(starts_with(
      detail_of(with_workflow(R"({"source":"a","source":"b"})")), "duplicate field `source`"));
  // A map keeps its last entry, as serde's maps do: not an error.
  CHECK(detail_of(with_workflow(R"({"source":"s","files":{"a.md":{"content":"x","ref":{"type":"file_inline","original":"a"}},"a.md":{"content":"y","ref":{"type":"file_inline","original":"a"}}}})")) ==
        "<parsed>");
}

TEST_CASE("NUL inside cwd, target or a bundle path is refused", "[model]") {
  CHECK(detail_of(R"({"version":1,"cwd":"/tmp\u0000/x","target":{"identifier":"w","path":"w"},"workflows":{"w":{"source":"s"}}})") ==
        "cwd must not contain NUL");
  CHECK(detail_of(R"({"version":1,"cwd":"/tmp","target":{"identifier":"w","path":"w\u0000"},"workflows":{"w\u0000":{"source":"s"}}})") ==
        "target must not contain NUL");
}

TEST_CASE("what one run may carry is bounded, and the 400 names the limit", "[model]") {
  std::string goal(65537, 'g');
  CHECK(detail_of(with_fields(R"("goal":{"type":"value","text":")" + goal + R"("},)")) ==
        "goal exceeds the limit of 65536 bytes.");
  std::string labels;
  for (int i = 0; i < 65; ++i) labels += (i ? ",\"" : "\"") + std::string("k") + std::to_string(i) + "=v\"";
  CHECK(detail_of(with_fields(R"("args":{"label":[)" + labels + "]},")) ==
        "args.label exceeds the limit of 64 labels.");
  CHECK(detail_of(with_fields(R"("args":{"label":[")" + std::string(1025, 'l') + R"("]},)")) ==
        "a label exceeds the limit of 1024 bytes.");
}
