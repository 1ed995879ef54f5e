#include "actors/run.hpp"

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace fabro::actors {
namespace {

struct run_state {
  model::run_record record;
  journal_actor journal;
  static inline const char* name = "run";
};

using run_pointer = run_actor::stateful_pointer<run_state>;

run_actor::behavior_type run_impl(run_pointer self, model::run_record record,
                                  journal_actor journal) {
  self->state.record = std::move(record);
  self->state.journal = std::move(journal);
  return {
      [=](get_atom) { return self->state.record; },
  };
}

}  // namespace

run_actor spawn_run(caf::actor_system& sys, model::run_record record, journal_actor journal) {
  return sys.spawn(run_impl, std::move(record), std::move(journal));
}

}  // namespace fabro::actors
