#include "actors/run_submission.hpp"

#include <cctype>

#include "actors/id_source.hpp"
#include "model/run_definition.hpp"
#include "model/run_manifest.hpp"

namespace fabro::actors {
namespace {

// The graph name after `digraph`, until the workflow parser is wired in.
std::string graph_name(const std::string& source) {
  auto pos = source.find("digraph");
  if (pos == std::string::npos) return "";
  pos += 7;
  while (pos < source.size() && std::isspace(static_cast<unsigned char>(source[pos]))) ++pos;
  size_t end = pos;
  while (end < source.size() &&
         (std::isalnum(static_cast<unsigned char>(source[end])) || source[end] == '_'))
    ++end;
  return source.substr(pos, end - pos);
}

}  // namespace

model::result<model::new_run> prepare_run(std::string body) {
  auto manifest = model::parse_manifest(body);
  if (!manifest) return manifest.error();
  const auto& workflow = manifest->target_workflow();
  std::string id = manifest->run_id ? *manifest->run_id : new_run_id();
  auto run = model::make_new_run(*manifest, std::move(body), std::move(id), now_ms(),
                                 graph_name(workflow.source), "");
  stamp_events(run.events);
  // Until bundle resolution lands: the raw target source and args only.
  model::run_definition def;
  def.workflow_path = manifest->target.path;
  def.workflow_name = run.record.workflow_name;
  def.goal = run.record.goal;
  def.source = workflow.source;
  def.working_directory = manifest->cwd;
  def.settings.dry_run = manifest->args.dry_run.value_or(false);
  def.settings.auto_approve = manifest->args.auto_approve.value_or(false);
  def.settings.metadata = run.record.labels;
  run.definition = model::to_json(def);
  return run;
}

}  // namespace fabro::actors
