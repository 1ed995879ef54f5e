// Checking a workflow without running it: POST /api/v1/validate and
// POST /api/v1/preflight (runs reference §1.2, engine reference §2.2).
// Both take a run manifest and resolve its bundle on the HTTP thread (CPU
// only); preflight also stat()s the working directory and checks that
// /bin/bash is executable, which is cheap enough to stay on this thread.
#include <sys/stat.h>
#include <unistd.h>

#include "http/route.hpp"
#include "model/json_writer.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;
using model::json_writer;

// The manifest's bundle; a malformed manifest has been answered (400).
std::optional<model::bundle_check> bundle_of(const route_context& ctx, const Request& req,
                                             reply& rep) {
  if (req.body().size() > ctx.cfg.max_body_bytes) {
    rep.send_problem(model::make_problem(
        model::errc::payload_too_large,
        "Request body exceeds the limit of " + std::to_string(ctx.cfg.max_body_bytes) +
            " bytes."));
    return std::nullopt;
  }
  auto m = model::parse_manifest(req.body());
  if (!m) return rep.send_problem(m.error()), std::nullopt;
  auto b = model::check_bundle(*m);
  if (!b) return rep.send_problem(b.error()), std::nullopt;
  return std::move(*b);
}

// Fabro's diagnostic shape: edge as [from, to]; we add line and column.
void write_diagnostics(json_writer& w, const std::vector<model::diagnostic>& diags) {
  w.begin_array();
  for (const auto& d : diags) {
    w.begin_object()
        .field("rule", d.rule)
        .field("severity", model::to_string(d.level))
        .field("message", d.message);
    if (!d.node_id.empty()) w.field("node_id", d.node_id);
    if (!d.edge_from.empty()) w.key("edge").begin_array().value(d.edge_from).value(d.edge_to).end_array();
    if (d.line > 0) {
      w.field("line", static_cast<uint64_t>(d.line)).field("column", static_cast<uint64_t>(d.column));
    }
    w.end_object();
  }
  w.end_array();
}

void write_workflow(json_writer& w, const model::bundle_check& b) {
  const auto& g = b.target.graph;
  w.key("workflow").begin_object()
      .field("name", b.definition.workflow_name)
      .field("graph_path", b.definition.workflow_path)
      .field("nodes", static_cast<uint64_t>(g ? g->nodes().size() : 0))
      .field("edges", static_cast<uint64_t>(g ? g->edges().size() : 0))
      .field("goal", b.definition.goal);
  w.key("diagnostics");
  write_diagnostics(w, b.target.diagnostics);
  w.end_object();
}

void validate(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto b = bundle_of(ctx, req, *rep);
  if (!b) return;
  json_writer w;
  w.begin_object().field("valid", b->ok()).key("diagnostics");
  write_diagnostics(w, b->target.diagnostics);
  w.field("ok", b->ok());  // Fabro's ValidateResponse, alongside ours
  write_workflow(w, *b);
  w.end_object();
  rep->send_json(Code::Ok, w.str());
}

struct check {
  std::string name;
  std::string status;  // "pass", "warning", "error"
  std::string summary;
  std::vector<std::string> details;
  std::string remediation;
};

struct section {
  std::string title;
  std::vector<check> checks;
};

std::vector<section> preflight_checks(const model::bundle_check& b) {
  const auto& def = b.definition;
  const auto& s = def.settings;
  // Without real commands (dry run) a missing directory or shell cannot hurt.
  std::string severe = s.dry_run ? "warning" : "error";
  std::vector<section> out;

  std::size_t errors = 0, warnings = 0;
  for (const auto& d : b.target.diagnostics)
    (d.level == model::severity::error ? errors : warnings) += 1;
  check valid{"Workflow is valid", errors ? "error" : warnings ? "warning" : "pass",
              std::to_string(errors) + " error(s), " + std::to_string(warnings) + " warning(s)",
              {}, errors ? "Fix the diagnostics listed under workflow.diagnostics." : ""};
  check kids{"Child workflows are bundled", b.missing_children.empty() ? "pass" : "warning",
             std::to_string(def.children.size()) + " bundled, " +
                 std::to_string(b.missing_children.size()) + " missing",
             b.missing_children,
             b.missing_children.empty() ? "" : "Add the missing workflows to the manifest."};
  out.push_back({"Workflow", {valid, kids}});

  bool known = s.sandbox == "local" || s.sandbox == "docker" || s.sandbox == "daytona";
  check sandbox{"Sandbox provider is supported", s.sandbox == "local" ? "pass" : severe,
                "run.sandbox.provider = " + s.sandbox, {},
                s.sandbox == "local" ? ""
                : known ? "This server runs only the local sandbox; use --sandbox local."
                        : "Use one of local, docker, daytona."};
  struct stat st {};
  bool dir_ok = !def.working_directory.empty() && ::stat(def.working_directory.c_str(), &st) == 0 &&
                S_ISDIR(st.st_mode);
  check wd{"Working directory exists", dir_ok ? "pass" : severe, def.working_directory, {},
           dir_ok ? "" : "Create the directory or set run.working_dir."};
  out.push_back({"Sandbox", {sandbox, wd}});

  std::vector<std::string> no_script;
  std::size_t commands = 0;
  if (b.target.graph) {
    for (const auto& n : b.target.graph->nodes()) {
      if (n.handler() != model::handler_type::command) continue;
      ++commands;
      auto script = n.script();
      if (!script || script->empty()) no_script.push_back(n.id);
    }
  }
  bool bash = commands == 0 || ::access("/bin/bash", X_OK) == 0;
  std::string cmd_status = !no_script.empty() ? "error" : !bash ? severe : "pass";
  check cmds{"Commands are runnable", cmd_status,
             std::to_string(commands) + " command stage(s)" + (bash ? "" : "; /bin/bash is missing"),
             no_script, no_script.empty() ? "" : "Give each command stage a `script`."};
  for (auto& id : cmds.details) id = "node '" + id + "' has no script";
  out.push_back({"Commands", {cmds}});
  return out;
}

void preflight(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto b = bundle_of(ctx, req, *rep);
  if (!b) return;
  // A workflow that does not even parse is a bad request, as in Fabro.
  if (!b->target.graph) {
    auto p = model::make_problem(model::errc::validation_failed, "Validation failed");
    p.diagnostics = b->target.diagnostics;
    return rep->send_problem(p);
  }
  auto sections = preflight_checks(*b);
  bool ok = b->ok();
  for (const auto& s : sections)
    for (const auto& c : s.checks) ok = ok && c.status != "error";
  json_writer w;
  w.begin_object().field("ok", ok);
  write_workflow(w, *b);
  w.key("checks").begin_object().field("title", "Preflight checks").key("sections").begin_array();
  for (const auto& s : sections) {
    w.begin_object().field("title", s.title).key("checks").begin_array();
    for (const auto& c : s.checks) {
      w.begin_object().field("name", c.name).field("status", c.status).field("summary", c.summary);
      w.key("details").begin_array();
      for (const auto& d : c.details) w.value(d);
      w.end_array();
      if (!c.remediation.empty()) w.field("remediation", c.remediation);
      w.end_object();
    }
    w.end_array().end_object();
  }
  w.end_array().end_object().end_object();
  rep->send_json(Code::Ok, w.str());
}

}  // namespace

std::vector<route> workflow_routes() {
  return {
      {"POST", "/api/v1/validate", validate},
      {"POST", "/api/v1/preflight", preflight},
  };
}

}  // namespace fabro::http
