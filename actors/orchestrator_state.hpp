// Internal to the orchestrator (actors/orchestrator*.cpp): its state and
// the helpers its behavior files share. Owned by the orchestrator actor.
//
// A run has an actor only while it executes (admitted by the queue
// manager: starting, running, paused) or while a cancel or forced delete
// ends it. Submitted and queued runs wait in `waiting` (an id and a
// status); their record is the stored one, their order the queue
// manager's. Everything that changes a waiting run goes through serially(),
// so at most one such change per run is in flight, and `waiting` changes
// only after its commit.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/actor_addr.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/orchestrator.hpp"
#include "actors/run.hpp"
#include "actors/store_reader.hpp"
#include "model/waiting_runs.hpp"

namespace fabro::actors {

struct orchestrator_state {
  journal_actor journal;
  store_reader_actor reader;
  queue_manager_actor queue;
  std::unordered_map<std::string, run_actor> runs;  // runs with an actor
  model::waiting_runs waiting;                       // submitted and queued runs without one
  // The id of each live run actor, so a down message finds its run in O(1).
  std::unordered_map<caf::actor_addr, std::string> run_ids;
  // Per run with an operation in flight: the operations waiting behind it.
  std::unordered_map<std::string, std::deque<std::function<void()>>> busy;
  // Deletes waiting for a forced cancel to end their run.
  std::unordered_map<std::string, std::vector<caf::typed_response_promise<bool>>> deleting;
  run_options run_opts;
  // Other servers' executors (actors/orchestrator_nodes.cpp), and the
  // runs executing there (run id -> node id), behind a relay each.
  struct executor_entry {
    executor_actor handle;
    std::string node;
    uint64_t slots = 0;
  };
  std::vector<executor_entry> executors;
  std::unordered_map<std::string, std::string> placed;
  uint64_t local_slots = 0;  // runs this server executes at once
  static inline const char* name = "orchestrator";
};

using orchestrator_pointer = orchestrator_actor::stateful_pointer<orchestrator_state>;
using record_promise = caf::typed_response_promise<model::run_record>;

// Runs `op` now when no other operation on run `id` is in flight, else
// after the ones before it. `op` must end by calling next(self, id) once.
void serially(orchestrator_pointer self, const std::string& id, std::function<void()> op);
void next(orchestrator_pointer self, const std::string& id);

// Gives a durable run its actor (monitored, not linked); it leaves `waiting`.
void adopt_run(orchestrator_pointer self, model::run_record record);

// Reads run `id` from the store and gives it its actor, then `then()`;
// `failed(err)` when it cannot be read.
// place() does the same for a run that is to execute, on the server that
// executes fewest (among this one and the joined executors with a free
// slot): actors/orchestrator_nodes.cpp.
void wake(orchestrator_pointer self, const std::string& id, std::function<void()> then,
          std::function<void(caf::error)> failed);

void place(orchestrator_pointer self, const std::string& id, std::function<void()> then,
           std::function<void(caf::error)> failed);
// actors/orchestrator_nodes.cpp: an executor joins; a down message of an
// executor or of a run placed on another node (true when it was one).
void join_executor(orchestrator_pointer self, executor_actor executor, std::string node,
                   uint64_t slots);
bool node_down(orchestrator_pointer self, const caf::down_msg& dm);

// Answers `promise` with a non-live run's refusal: errc::conflict with
// `what` when the run is stored, else errc::run_not_found.
void explain_not_live(orchestrator_pointer self, const std::string& id, std::string what,
                      record_promise promise);

// Fills queue_position of a queued record, then calls `then` with it.
void with_position(orchestrator_pointer self, model::run_record r,
                   std::function<void(model::run_record)> then);
void deliver_with_position(orchestrator_pointer self, model::run_record r,
                           record_promise promise);

// Behaviors of actors/orchestrator_control.cpp.
caf::result<model::run_record> start(orchestrator_pointer self, const std::string& id,
                                     bool resume);
caf::result<create_result> create_and_start(orchestrator_pointer self, model::new_run& run);
void launch(orchestrator_pointer self, const std::string& id);
caf::result<model::run_record> control(orchestrator_pointer self, model::control_action action,
                                       const std::string& id, const std::string& login);
caf::result<bool> remove(orchestrator_pointer self, const std::string& id, bool force);
// Behavior of actors/orchestrator_append.cpp (append_atom).
caf::result<uint64_t> append_event(orchestrator_pointer self, const std::string& id,
                                   model::run_event event);
// Called when a run actor is gone: its slot, pending deletes.
void run_ended(orchestrator_pointer self, const std::string& id);

// create() of actors/orchestrator.cpp, and its commit: the create write,
// then `reply` with {record, created=true} (the run waits, submitted), or
// as answer_unapplied() says.
caf::result<create_result> create(orchestrator_pointer self, model::new_run& run);
void commit_create(orchestrator_pointer self, model::new_run& run,
                   std::function<void(caf::expected<create_result>)> reply);

// A create write that did not apply (`o`): the stored run as it is now
// (write_status::existing) or errc::conflict (another manifest).
void answer_unapplied(orchestrator_pointer self, store::write_outcome& o, const std::string& id,
                      std::function<void(caf::expected<create_result>)> reply);

// A create that found its run already stored answers the run's current
// record: from its actor while live, else as stored (with its position).
void answer_existing(orchestrator_pointer self, model::run_record stored,
                     std::function<void(create_result)> answer);

}  // namespace fabro::actors
