#include "actors/run_submission.hpp"

#include "actors/id_source.hpp"
#include "model/prepared_manifests.hpp"
#include "model/run_definition.hpp"
#include "model/run_event.hpp"
#include "model/run_manifest.hpp"
#include "model/workflow/manifest_bundle.hpp"

namespace fabro::actors {
namespace {

model::prepared_manifests& known_manifests() {
  static model::prepared_manifests cache;
  return cache;
}

// Parses and checks `body`: the whole bundle is resolved and validated
// before anything is created.
model::result<std::shared_ptr<const model::prepared_manifest>> prepare(std::string_view body) {
  auto manifest = model::parse_manifest(body);
  if (!manifest) return manifest.error();
  auto def = model::resolve_bundle(*manifest);
  if (!def) return def.error();
  auto p = std::make_shared<model::prepared_manifest>();
  p->definition = model::to_json(*def);
  p->workflow_name = std::move(def->workflow_name);
  p->goal = std::move(def->goal);
  p->manifest = std::move(*manifest);
  return std::shared_ptr<const model::prepared_manifest>(std::move(p));
}

}  // namespace

model::result<model::new_run> prepare_run(std::string body) {
  auto known = known_manifests().find(body);
  if (!known) {
    auto fresh = prepare(body);
    if (!fresh) return fresh.error();
    known = std::move(*fresh);
    known_manifests().insert(body, known);
  }
  const auto& m = known->manifest;
  std::string id = m.run_id ? *m.run_id : new_run_id();
  auto run = model::make_new_run(m, std::move(body), std::move(id), now_ms(),
                                 known->workflow_name, known->goal);
  stamp_events(run.events);
  for (const auto& e : run.events) run.envelopes.push_back(model::envelope_json(e));
  run.definition = known->definition;
  return run;
}

}  // namespace fabro::actors
