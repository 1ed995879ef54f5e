// Internal to the orchestrator (actors/orchestrator*.cpp): its state and
// the helpers its behavior files share. Owned by the orchestrator actor.
#pragma once

#include <functional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/orchestrator.hpp"
#include "actors/run.hpp"
#include "actors/store_reader.hpp"

namespace fabro::actors {

struct orchestrator_state {
  journal_actor journal;
  store_reader_actor reader;
  queue_manager_actor queue;
  queue_config queue_cfg;
  std::unordered_map<std::string, run_actor> runs;  // live (non-terminal) runs
  // Durable runs in status submitted that have no actor yet (most never
  // need one before they start): their record is the stored one. wake()
  // gives one its actor when a message needs it.
  std::unordered_map<std::string, model::run_record> dormant;
  // The id of each live run actor, so a down message finds its run in O(1).
  std::unordered_map<caf::actor_addr, std::string> run_ids;
  // Runs accepted for start and not yet launched or cancelled: counted
  // against max_queued_runs here, synchronously, so no two starts race.
  std::unordered_set<std::string> waiting;
  std::unordered_set<std::string> resuming;  // queued to continue from a checkpoint
  uint64_t next_queue_seq = 1;  // start order; persisted with each queued run
  // Deletes waiting for a forced cancel to end their run.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<bool>>> deleting;
  run_options run_opts;
  static inline const char* name = "orchestrator";
};

using orchestrator_pointer = orchestrator_actor::stateful_pointer<orchestrator_state>;
using record_promise = caf::typed_response_promise<model::run_record>;

// Gives a durable, non-terminal run its actor (monitored, not linked).
void adopt_run(orchestrator_pointer self, model::run_record record);

// Keeps a durable submitted run without an actor (state.dormant); any
// other status gets its actor at once.
void keep_run(orchestrator_pointer self, model::run_record record);

// Gives dormant run `id` its actor; true if `id` now has a live actor.
bool wake(orchestrator_pointer self, const std::string& id);

// Answers `promise` with a non-live run's refusal: its stored status
// explained (errc::conflict with `what`), or errc::run_not_found.
void explain_not_live(orchestrator_pointer self, const std::string& id, std::string what,
                      record_promise promise);

// Fills queue_position of a queued record, then answers `promise`.
void deliver_with_position(orchestrator_pointer self, model::run_record r,
                           record_promise promise);

// Behaviors of actors/orchestrator_control.cpp.
caf::result<model::run_record> start(orchestrator_pointer self, const std::string& id,
                                     bool resume);
caf::result<create_result> create_and_start(orchestrator_pointer self, model::new_run& run);
void launch(orchestrator_pointer self, const std::string& id);
// Tries again to start an admitted run whose start met a failing store.
void relaunch(orchestrator_pointer self, const std::string& id, bool resume);
caf::result<model::run_record> control(orchestrator_pointer self, model::control_action action,
                                       const std::string& id, const std::string& login);
caf::result<bool> remove(orchestrator_pointer self, const std::string& id, bool force);
// Called when a run actor is gone: slots, waiting set, pending deletes.
void run_ended(orchestrator_pointer self, const std::string& id);

// create() of actors/orchestrator.cpp.
caf::result<create_result> create(orchestrator_pointer self, model::new_run& run);

// A create that found its run already stored answers the run's current
// record: from its actor while live, else as stored.
void answer_existing(orchestrator_pointer self, model::run_record stored,
                     std::function<void(create_result)> answer);

}  // namespace fabro::actors
