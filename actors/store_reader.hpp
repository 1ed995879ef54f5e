// The store reader: answers reads of finished and listed runs from its own
// store instance on its own thread (detached), so reads never wait behind
// the journal's fsyncs and never run on an HTTP or scheduler thread.
#pragma once

#include <caf/fwd.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/atoms.hpp"
#include "actors/message_types.hpp"
#include "actors/store_factory.hpp"

namespace fabro::actors {

using store_reader_actor = caf::typed_actor<
    // The stored record of run `id`. Fails with errc::run_not_found.
    caf::replies_to<get_atom, std::string>::with<model::run_record>,
    // Runs newest first: skip `offset`, at most `limit`, and whether more exist.
    caf::replies_to<list_atom, uint64_t, uint64_t>::with<run_page>,
    // Runs newest first, from the first one older than (created_ms, id), at
    // most `limit`, and whether more exist.
    caf::replies_to<list_atom, int64_t, std::string, uint64_t>::with<run_page>,
    // Events of run `id` from `since_seq`, at most `limit`. Fails with
    // errc::run_not_found for an unknown run.
    caf::replies_to<events_atom, std::string, uint64_t, uint64_t>::with<event_page>,
    // The run_definition JSON stored with run `id` (what it executes). Fails
    // with errc::run_not_found.
    caf::replies_to<definition_atom, std::string>::with<std::string>,
    // The latest checkpoint JSON of run `id`; "" when it has none.
    caf::replies_to<checkpoint_atom, std::string>::with<std::string>,
    // Every non-terminal run, oldest first (restart recovery): executing
    // runs whole, waiting runs as index rows (store::run_store).
    caf::replies_to<unfinished_atom>::with<store::unfinished_runs>,
    // How many runs the store holds and the bytes it takes.
    caf::replies_to<usage_atom>::with<store::store_usage>,
    // Stored runs newest first from the first one older than (created_ms,
    // id), at most `limit`, each with the bytes it keeps.
    caf::replies_to<usage_atom, int64_t, std::string, uint64_t>::with<run_usage_page>,
    // Runs on Fabro's board (model/run_board.hpp), newest first: skip
    // `offset`, at most `limit`, and whether more exist.
    caf::replies_to<board_atom, uint64_t, uint64_t>::with<run_page>,
    // The artifacts of run `id` by name. Fails with errc::run_not_found.
    caf::replies_to<artifacts_atom, std::string>::with<std::vector<model::stored_artifact>>,
    // The bytes of artifact `name` of run `id`. Fails with
    // errc::run_not_found for an unknown run or artifact
    // (model::kArtifactNotFound for the latter).
    caf::replies_to<artifact_atom, std::string, std::string>::with<std::string>,
    // Fabro's RunProjection JSON of run `id` (model/run_projection.hpp),
    // folded from its whole event log. Fails with errc::run_not_found, or
    // errc::store_damaged for a stored event that is not an envelope.
    caf::replies_to<state_atom, std::string>::with<std::string>,
    // Fabro's PaginatedRunStageList of run `id` (model/run_stages.hpp):
    // skip `offset`, at most `limit`. Fails like state_atom.
    caf::replies_to<stages_atom, std::string, uint64_t, uint64_t>::with<std::string>,
    // Fabro's PaginatedStageTurnList of stage execution `stage_id` of run
    // `id`: no stage of this server records LLM turns yet, so an empty
    // page. Fails with errc::run_not_found (model::kStageNotFound for a
    // stage that never started).
    caf::replies_to<turns_atom, std::string, std::string>::with<std::string>,
    // Fabro's RunBilling of run `id` (model/run_stages.hpp billing_json:
    // the model usage its stages billed). Fails like state_atom.
    caf::replies_to<billing_atom, std::string>::with<std::string>>;

model::result<store_reader_actor> spawn_store_reader(caf::actor_system& sys,
                                                     const store_factory& make_store);

}  // namespace fabro::actors
