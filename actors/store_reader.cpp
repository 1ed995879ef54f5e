#include "actors/store_reader.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "model/run_board.hpp"
#include "model/run_projection.hpp"
#include "model/run_stages.hpp"

namespace fabro::actors {
namespace {

struct reader_state {
  std::shared_ptr<store::run_store> store;
  static inline const char* name = "store_reader";
};

using reader_pointer = store_reader_actor::stateful_pointer<reader_state>;

caf::error not_found() { return to_error(model::errc::run_not_found, "Run not found."); }

// Events are folded this many at a time.
constexpr uint64_t kProjectionPage = 1024;

// Feeds every stored event of run `id` (which must exist) to `fold`, in seq
// order.
template <class Fold>
model::result<model::done> fold_log(reader_pointer self, const std::string& id, Fold& fold) {
  for (uint64_t since = 1;;) {
    auto events = self->state.store->list_events(id, since, kProjectionPage);
    if (!events) return events.error();
    for (const auto& e : *events)
      if (auto ok = fold.apply(e); !ok) return ok.error();
    if (events->size() < kProjectionPage) return model::done{};
    since += kProjectionPage;
  }
}

caf::result<std::string> project(reader_pointer self, const std::string& id) {
  auto& store = *self->state.store;
  auto run = store.load_run(id);
  if (!run) return to_error(run.error());
  if (!*run) return not_found();
  std::optional<model::run_definition> definition;
  auto stored = store.load_definition(id);
  if (!stored) return to_error(stored.error());
  if (*stored) {
    auto d = model::parse_run_definition(**stored);
    if (!d) return to_error(d.error());
    definition = std::move(*d);
  }
  model::run_projection projection(id);
  if (auto ok = fold_log(self, id, projection); !ok) return to_error(ok.error());
  return projection.json(definition ? &*definition : nullptr);
}

// The stages of run `id`, folded; fails as project() does.
caf::expected<std::unique_ptr<model::run_stages>> stages_of(reader_pointer self,
                                                            const std::string& id) {
  auto run = self->state.store->load_run(id);
  if (!run) return to_error(run.error());
  if (!*run) return not_found();
  auto stages = std::make_unique<model::run_stages>();
  if (auto ok = fold_log(self, id, *stages); !ok) return to_error(ok.error());
  return stages;
}

// `runs` as read with one more than `limit`: that one only says more exist.
run_page page_of(std::vector<model::run_record> runs, uint64_t limit) {
  run_page page;
  page.has_more = runs.size() > limit;
  if (page.has_more) runs.pop_back();
  page.runs = std::move(runs);
  return page;
}

store_reader_actor::behavior_type reader_impl(reader_pointer self,
                                              std::shared_ptr<store::run_store> store) {
  self->state.store = std::move(store);
  return {
      [=](get_atom, const std::string& id) -> caf::result<model::run_record> {
        auto r = self->state.store->load_run(id);
        if (!r) return to_error(r.error());
        if (!*r) return not_found();
        return std::move(**r);
      },
      [=](list_atom, uint64_t offset, uint64_t limit) -> caf::result<run_page> {
        auto runs = self->state.store->list_runs(offset, limit + 1);
        if (!runs) return to_error(runs.error());
        return page_of(std::move(*runs), limit);
      },
      [=](list_atom, int64_t created_ms, const std::string& id,
          uint64_t limit) -> caf::result<run_page> {
        auto runs = self->state.store->list_runs_before(created_ms, id, limit + 1);
        if (!runs) return to_error(runs.error());
        return page_of(std::move(*runs), limit);
      },
      [=](events_atom, const std::string& id, uint64_t since,
          uint64_t limit) -> caf::result<event_page> {
        auto run = self->state.store->load_run(id);
        if (!run) return to_error(run.error());
        if (!*run) return not_found();
        auto events = self->state.store->list_events(id, since, limit + 1);
        if (!events) return to_error(events.error());
        event_page page;
        page.has_more = events->size() > limit;
        if (page.has_more) events->pop_back();
        page.events = std::move(*events);
        return page;
      },
      [=](checkpoint_atom, const std::string& id) -> caf::result<std::string> {
        auto c = self->state.store->load_checkpoint(id);
        if (!c) return to_error(c.error());
        return c->value_or(std::string());
      },
      [=](definition_atom, const std::string& id) -> caf::result<std::string> {
        auto def = self->state.store->load_definition(id);
        if (!def) return to_error(def.error());
        if (!*def) return not_found();
        return std::move(**def);
      },
      [=](board_atom, uint64_t offset, uint64_t limit) -> caf::result<run_page> {
        auto runs = self->state.store->list_runs_in(model::board_statuses(), offset, limit + 1);
        if (!runs) return to_error(runs.error());
        return page_of(std::move(*runs), limit);
      },
      [=](artifacts_atom,
          const std::string& id) -> caf::result<std::vector<model::stored_artifact>> {
        auto run = self->state.store->load_run(id);
        if (!run) return to_error(run.error());
        if (!*run) return not_found();
        auto list = self->state.store->list_artifacts(id);
        if (!list) return to_error(list.error());
        return std::move(*list);
      },
      [=](artifact_atom, const std::string& id,
          const std::string& name) -> caf::result<std::string> {
        auto run = self->state.store->load_run(id);
        if (!run) return to_error(run.error());
        if (!*run) return not_found();
        auto bytes = self->state.store->load_artifact(id, name);
        if (!bytes) return to_error(bytes.error());
        if (!*bytes) return to_error(model::errc::run_not_found, model::kArtifactNotFound);
        return std::move(**bytes);
      },
      [=](usage_atom) -> caf::result<store::store_usage> {
        auto u = self->state.store->usage();
        if (!u) return to_error(u.error());
        return std::move(*u);
      },
      [=](usage_atom, int64_t created_ms, const std::string& id,
          uint64_t limit) -> caf::result<run_usage_page> {
        auto runs = self->state.store->list_runs_before(created_ms, id, limit + 1);
        if (!runs) return to_error(runs.error());
        auto page = page_of(std::move(*runs), limit);
        std::vector<std::string> ids;
        for (const auto& r : page.runs) ids.push_back(r.id);
        auto bytes = self->state.store->run_bytes(ids);
        if (!bytes) return to_error(bytes.error());
        return run_usage_page{std::move(page.runs), std::move(*bytes), page.has_more};
      },
      [=](unfinished_atom) -> caf::result<store::unfinished_runs> {
        auto runs = self->state.store->load_unfinished();
        if (!runs) return to_error(runs.error());
        return std::move(*runs);
      },
      [=](state_atom, const std::string& id) { return project(self, id); },
      [=](stages_atom, const std::string& id, uint64_t offset,
          uint64_t limit) -> caf::result<std::string> {
        auto stages = stages_of(self, id);
        if (!stages) return std::move(stages.error());
        return (*stages)->json(offset, limit);
      },
      [=](billing_atom, const std::string& id) -> caf::result<std::string> {
        auto run = self->state.store->load_run(id);
        if (!run) return to_error(run.error());
        if (!*run) return not_found();
        model::run_stages stages;
        if (auto ok = fold_log(self, id, stages); !ok) return to_error(ok.error());
        return stages.billing_json((*run)->duration_ms);
      },
      [=](turns_atom, const std::string& id,
          const std::string& stage) -> caf::result<std::string> {
        auto stages = stages_of(self, id);
        if (!stages) return std::move(stages.error());
        if (!(*stages)->has(stage))
          return to_error(model::errc::run_not_found, model::kStageNotFound);
        return std::string("{\"data\":[],\"meta\":{\"has_more\":false}}");
      },
  };
}

}  // namespace

model::result<store_reader_actor> spawn_store_reader(caf::actor_system& sys,
                                                     const store_factory& make_store) {
  auto store = make_store();
  if (!store) return store.error();
  std::shared_ptr<store::run_store> shared(std::move(*store));
  return sys.spawn<caf::detached>(reader_impl, shared);
}

}  // namespace fabro::actors
