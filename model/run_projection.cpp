#include "model/run_projection.hpp"

#include <optional>

#include <simdjson.h>

#include "model/engine/checkpoint.hpp"
#include "model/json_writer.hpp"
#include "model/timestamp.hpp"

namespace fabro::model {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// A JSON value kept as its text; empty = absent (written null).
using raw_json = std::string;

struct node_state {
  raw_json prompt, response, status, provider_used, diff, script_invocation, script_timing,
      parallel_results, stdout_text, stderr_text;
};

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string text_of(element e) { return simdjson::minify(e); }

uint64_t uint_at(element props, const char* key) {
  uint64_t v = 0;
  return props[key].get(v) ? 0 : v;
}

bool bool_at(element props, const char* key) {
  bool v = false;
  return props[key].get(v) ? false : v;
}

std::string_view string_at(element props, const char* key) {
  std::string_view v;
  if (props[key].get(v)) return {};
  return v;
}

// Fabro's StageStatus for this server's and Fabro's own names; "" = none.
std::string_view stage_status_of(std::string_view s) {
  if (s == "succeeded" || s == "success") return "success";
  if (s == "failed" || s == "fail") return "fail";
  if (s == "partially_succeeded" || s == "partial_success") return "partial_success";
  if (s == "skipped" || s == "retry") return s;
  return {};
}

bool is_status_reason(std::string_view r) {
  for (const char* k : {"completed", "partial_success", "workflow_error", "cancelled",
                        "terminated", "transient_infra", "budget_exhausted", "launch_failed",
                        "bootstrap_failed", "sandbox_init_failed", "sandbox_initializing"})
    if (r == k) return true;
  return false;
}

}  // namespace

struct run_projection::state {
  std::string run_id;
  simdjson::dom::parser parser;
  simdjson::dom::parser empty_parser;  // holds no_props: an envelope without properties
  element no_props;
  // run.created's members as given, and run.submitted's definition_blob.
  std::vector<std::pair<std::string, raw_json>> run_fields;
  bool created = false;
  raw_json definition_blob;
  raw_json start, status, pending_control, checkpoint, conclusion, sandbox, final_patch,
      pull_request, retro, retro_prompt, retro_response;
  std::string sandbox_provider;
  std::vector<std::pair<uint64_t, raw_json>> checkpoints;
  std::optional<model::checkpoint> last_checkpoint;  // a delta event applies to it
  std::map<std::string, raw_json> pending_interviews;  // qid -> record
  std::map<std::string, node_state> nodes;
  std::map<std::string, std::string> latest_visit;  // node id -> "node@visit"

  void set_status(std::string_view name, element props, std::string_view ts) {
    json_writer w;
    w.begin_object().field("status", name);
    auto reason = string_at(props, "reason");
    if (is_status_reason(reason)) w.field("reason", reason);
    w.field("updated_at", ts).end_object();
    status = w.take();
  }

  node_state* node_of(element env, element props) {
    std::string_view stage, node;
    if (!env["stage_id"].get(stage) && !stage.empty()) {
      auto at = stage.rfind('@');
      if (at != std::string_view::npos) latest_visit[std::string(stage.substr(0, at))] = stage;
      return &nodes[std::string(stage)];
    }
    if (env["node_id"].get(node) || node.empty()) return nullptr;
    uint64_t visit = 0;
    if (!props["visit"].get(visit)) {
      auto key = std::string(node) + "@" + std::to_string(visit);
      latest_visit[std::string(node)] = key;
      return &nodes[key];
    }
    auto it = latest_visit.find(std::string(node));
    if (it == latest_visit.end())
      it = latest_visit.emplace(std::string(node), std::string(node) + "@1").first;
    return &nodes[it->second];
  }

  void apply(uint64_t seq, std::string_view name, std::string_view ts, element env,
             element props);
  void apply_node(std::string_view name, std::string_view ts, node_state& n, element props);
};

run_projection::run_projection(std::string run_id) : s_(std::make_unique<state>()) {
  s_->run_id = std::move(run_id);
  auto parsed = s_->empty_parser.parse("{}", 2).get(s_->no_props);
  (void)parsed;  // "{}" always parses
}

run_projection::~run_projection() = default;

result<done> run_projection::apply(std::string_view envelope) {
  element env;
  std::string_view name, ts;
  if (s_->parser.parse(envelope.data(), envelope.size()).get(env) || !env.is_object() ||
      env["event"].get(name))
    return make_problem(errc::store_damaged, "a stored event of run " + s_->run_id +
                                                 " is not an event envelope");
  ts = string_at(env, "ts");
  uint64_t seq = uint_at(env, "seq");
  element props;
  if (env["properties"].get(props) || !props.is_object()) props = s_->no_props;
  s_->apply(seq, name, ts, env, props);
  return done{};
}

void run_projection::state::apply(uint64_t seq, std::string_view name, std::string_view ts,
                                  element env, element props) {
  if (name == "run.created") {
    created = true;
    run_fields.clear();
    object o;
    if (!props.get(o))
      for (auto f : o)
        if (f.key != "workflow_source" && f.key != "workflow_config")
          run_fields.emplace_back(std::string(f.key), text_of(f.value));
  } else if (name == "run.submitted") {
    auto blob = string_at(props, "definition_blob");
    if (!blob.empty()) definition_blob = quoted(blob);
    set_status("submitted", props, ts);
  } else if (name == "run.starting" || name == "run.running" || name == "run.removing") {
    set_status(name.substr(4), props, ts);
  } else if (name == "run.paused" || name == "run.unpaused") {
    set_status(name == "run.paused" ? "paused" : "running", props, ts);
    pending_control.clear();
  } else if (name == "run.cancel.requested" || name == "run.pause.requested" ||
             name == "run.unpause.requested") {
    auto action = name.substr(4, name.find('.', 4) - 4);
    pending_control = quoted(action);
  } else if (name == "run.started") {
    json_writer w;
    w.begin_object().field("run_id", run_id).field("start_time", ts);
    for (const char* k : {"run_branch", "base_sha"}) {
      auto v = string_at(props, k);
      if (!v.empty()) w.field(k, v);
    }
    start = w.end_object().take();
  } else if (name == "run.completed" || name == "run.failed") {
    bool ok = name == "run.completed";
    set_status(ok ? "succeeded" : "failed", props, ts);
    pending_control.clear();
    pending_interviews.clear();
    json_writer w;
    auto st = stage_status_of(string_at(props, "status"));
    w.begin_object().field("timestamp", ts).field("status", ok ? (st.empty() ? "success" : st)
                                                               : std::string_view("fail"));
    w.field("duration_ms", uint_at(props, "duration_ms"));
    if (!ok) w.field("failure_reason", string_at(props, "error"));
    auto sha = string_at(props, ok ? "final_git_commit_sha" : "git_commit_sha");
    if (!sha.empty()) w.field("final_git_commit_sha", sha);
    element billing;
    if (!props["billing"].get(billing) && billing.is_object())
      w.field_raw("billing", text_of(billing));
    w.field("total_retries", int64_t{0}).end_object();
    conclusion = w.take();
    auto patch = string_at(props, "final_patch");
    if (ok && !patch.empty()) final_patch = quoted(patch);
  } else if (name == "checkpoint.completed") {
    auto c = apply_checkpoint_event(text_of(props), last_checkpoint ? &*last_checkpoint : nullptr);
    if (c) {
      if (auto ms = parse_rfc3339_ms(ts)) c->timestamp_ms = *ms;
      last_checkpoint = *c;
      checkpoint = api_checkpoint_json(*c);
      checkpoints.emplace_back(seq, checkpoint);
    }
  } else if (name == "sandbox.initializing") {
    sandbox_provider = std::string(string_at(props, "provider"));
  } else if (name == "sandbox.initialized") {
    json_writer w;
    auto provider = string_at(props, "provider");
    w.begin_object().field("provider", provider.empty() ? std::string_view(sandbox_provider)
                                                        : provider);
    w.field("working_directory", string_at(props, "working_directory"));
    for (const char* k : {"identifier", "host_working_directory", "container_mount_point"}) {
      auto v = string_at(props, k);
      if (!v.empty()) w.field(k, v);
    }
    sandbox = w.end_object().take();
  } else if (name == "pull_request.created") {
    json_writer w;
    w.begin_object().field("html_url", string_at(props, "pr_url"));
    w.field("number", uint_at(props, "pr_number"));
    for (const char* k : {"owner", "repo", "base_branch", "head_branch", "title"})
      w.field(k, string_at(props, k));
    pull_request = w.end_object().take();
  } else if (name == "retro.started") {
    auto p = string_at(props, "prompt");
    if (!p.empty()) retro_prompt = quoted(p);
  } else if (name == "retro.completed") {
    auto r = string_at(props, "response");
    if (!r.empty()) retro_response = quoted(r);
    element v;
    if (!props["retro"].get(v) && v.is_object()) retro = text_of(v);
  } else if (name == "interview.started") {
    auto qid = string_at(props, "question_id");
    if (!qid.empty()) {
      json_writer w;
      w.begin_object().key("question").begin_object().field("id", qid)
          .field("text", string_at(props, "question")).field("stage", string_at(props, "stage"));
      auto type = string_at(props, "question_type");
      w.field("question_type", type.empty() ? std::string_view("freeform") : type);
      element v;
      w.field_raw("options", !props["options"].get(v) && v.is_array() ? text_of(v) : "[]");
      w.field("allow_freeform", bool_at(props, "allow_freeform"));
      if (!props["timeout_seconds"].get(v) && v.is_number()) w.field_raw("timeout_seconds", text_of(v));
      auto display = string_at(props, "context_display");
      if (!display.empty()) w.field("context_display", display);
      w.end_object().field("started_at", ts).end_object();
      pending_interviews[std::string(qid)] = w.take();
    }
  } else if (name == "interview.completed" || name == "interview.timeout" ||
             name == "interview.interrupted") {
    pending_interviews.erase(std::string(string_at(props, "question_id")));
  }
  if (auto* n = node_of(env, props)) apply_node(name, ts, *n, props);
}

void run_projection::state::apply_node(std::string_view name, std::string_view ts,
                                       node_state& n, element props) {
  auto status_record = [&](std::string_view st, std::string_view notes,
                           std::string_view failure) {
    json_writer w;
    w.begin_object().field("status", st);
    if (!notes.empty()) w.field("notes", notes);
    if (!failure.empty()) w.field("failure_reason", failure);
    n.status = w.field("timestamp", ts).end_object().take();
  };
  if (name == "stage.prompt") {
    n.prompt = quoted(string_at(props, "text"));
    json_writer w;
    w.begin_object();
    for (const char* k : {"mode", "provider", "model"}) {
      auto v = string_at(props, k);
      if (!v.empty()) w.field(k, v);
    }
    n.provider_used = w.end_object().take();
  } else if (name == "agent.session.started" || name == "agent.cli.started") {
    json_writer w;
    w.begin_object().field("mode", name == "agent.cli.started" ? string_at(props, "mode")
                                                              : std::string_view("agent"));
    for (const char* k : {"provider", "model", "command"}) {
      auto v = string_at(props, k);
      if (!v.empty()) w.field(k, v);
    }
    n.provider_used = w.end_object().take();
  } else if (name == "prompt.completed") {
    n.response = quoted(string_at(props, "response"));
  } else if (name == "stage.completed") {
    auto st = stage_status_of(string_at(props, "status"));
    if (!st.empty()) {
      element failure;
      std::string_view reason;
      if (!props["failure"].get(failure)) reason = string_at(failure, "message");
      status_record(st, string_at(props, "notes"), reason);
    }
    auto response = string_at(props, "response");
    if (!response.empty()) n.response = quoted(response);
  } else if (name == "stage.failed") {
    if (!bool_at(props, "will_retry")) {
      element failure;
      std::string_view reason = string_at(props, "error");
      if (!props["failure"].get(failure)) reason = string_at(failure, "message");
      status_record("fail", {}, reason);
    }
  } else if (name == "command.started") {
    n.script_invocation = text_of(props);
  } else if (name == "command.completed") {
    n.script_timing = text_of(props);
    const std::pair<const char*, raw_json*> outputs[] = {{"stdout", &n.stdout_text},
                                                         {"stderr", &n.stderr_text}};
    for (auto [key, out] : outputs) {
      std::string_view v;
      // Fabro's whole output, else this server's tail (the whole output is
      // an artifact: GET /api/v1/runs/{id}/artifacts).
      if (!props[key].get(v) || !props[std::string(key) + "_tail"].get(v)) *out = quoted(v);
    }
  } else if (name == "checkpoint.completed") {
    auto diff = string_at(props, "diff");
    if (!diff.empty()) n.diff = quoted(diff);
  } else if (name == "parallel.completed") {
    element v;
    if (!props["results"].get(v) && v.is_array()) n.parallel_results = text_of(v);
  }
}

std::string run_projection::json(const run_definition* definition) const {
  const auto& s = *s_;
  json_writer w;
  auto opt = [&](const char* key, const raw_json& v) {
    if (v.empty()) w.field_null(key);
    else w.field_raw(key, v);
  };
  w.begin_object();
  if (!s.created && !definition) {
    w.field_null("run");
  } else {
    w.key("run").begin_object().field("run_id", s.run_id);
    bool has_settings = false, has_graph = false;
    for (const auto& [k, v] : s.run_fields) {
      if (k == "run_id") continue;
      has_settings |= k == "settings";
      has_graph |= k == "graph";
      w.field_raw(k, v);
    }
    if (!has_settings && definition)
      w.field_raw("settings", api_settings_json(definition->settings));
    if (!has_graph && definition)
      w.key("graph").begin_object().field("name", definition->workflow_name).end_object();
    if (!s.definition_blob.empty()) w.field_raw("definition_blob", s.definition_blob);
    w.end_object();
  }
  if (definition) w.field("graph_source", definition->source);
  else w.field_null("graph_source");
  opt("start", s.start);
  opt("status", s.status);
  opt("pending_control", s.pending_control);
  opt("checkpoint", s.checkpoint);
  w.key("checkpoints").begin_array();
  for (const auto& [seq, c] : s.checkpoints) w.begin_array().value(seq).raw(c).end_array();
  w.end_array();
  opt("conclusion", s.conclusion);
  opt("retro", s.retro);
  opt("retro_prompt", s.retro_prompt);
  opt("retro_response", s.retro_response);
  opt("sandbox", s.sandbox);
  opt("final_patch", s.final_patch);
  opt("pull_request", s.pull_request);
  w.key("pending_interviews").begin_object();
  for (const auto& [qid, record] : s.pending_interviews) w.field_raw(qid, record);
  w.end_object();
  w.key("nodes").begin_object();
  for (const auto& [key, n] : s.nodes) {
    w.key(key).begin_object();
    opt("prompt", n.prompt);
    opt("response", n.response);
    opt("status", n.status);
    opt("provider_used", n.provider_used);
    opt("diff", n.diff);
    opt("script_invocation", n.script_invocation);
    opt("script_timing", n.script_timing);
    opt("parallel_results", n.parallel_results);
    opt("stdout", n.stdout_text);
    opt("stderr", n.stderr_text);
    w.end_object();
  }
  w.end_object().end_object();
  return w.take();
}

}  // namespace fabro::model
