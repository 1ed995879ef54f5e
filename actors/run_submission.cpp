#include "actors/run_submission.hpp"

#include "actors/id_source.hpp"
#include "model/run_definition.hpp"
#include "model/run_event.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

namespace fabro::actors {

model::result<model::new_run> prepare_run(std::string body) {
  auto manifest = model::parse_manifest(body);
  if (!manifest) return manifest.error();
  // The whole bundle is resolved and validated before anything is created.
  auto def = model::resolve_bundle(*manifest);
  if (!def) return def.error();
  std::string id = manifest->run_id ? *manifest->run_id : new_run_id();
  auto run = model::make_new_run(*manifest, std::move(body), std::move(id), now_ms(),
                                 def->workflow_name, def->goal);
  stamp_events(run.events);
  for (const auto& e : run.events) run.envelopes.push_back(model::envelope_json(e));
  run.definition = model::to_json(*def);
  return run;
}

}  // namespace fabro::actors
