// Public: store layer (installed for embedders under include/fabro/).
// One durable change to the run store, and what the store says about it.
// Writes travel from actors to the journal, which commits many of them in one
// transaction (group commit). Plain values.
#pragma once

#include <string>
#include <vector>

#include "model/run_event.hpp"
#include "model/run_record.hpp"

namespace fabro::store {

enum class write_kind {
  create,  // insert record + manifest + events, unless the id exists
  update,  // replace the record of an existing run
  append,  // add events to an existing run's log
  remove,  // delete the run, its manifest, events, checkpoint and artifacts
  checkpoint,  // replace the run's latest checkpoint with `payload`
  artifact,    // store `payload` as the run's artifact `name` (replacing it)
};

struct run_write {
  write_kind kind = write_kind::update;
  model::run_record record;            // create, update; remove uses record.id
  std::string manifest_bytes;          // create only
  std::string definition;              // create only: run_definition JSON
  std::vector<model::run_event> events;  // create, append
  std::string name;     // artifact: e.g. "stages/cmd@1/attempt-1/stdout"
  std::string payload;  // checkpoint: model::checkpoint JSON; artifact: bytes
  // Optional: model::envelope_json of each of `events`, rendered by the
  // caller (once, for the store and the event listeners); empty = the
  // store renders them.
  std::vector<std::string> envelopes;
};

enum class write_status {
  applied,   // the change is durable
  existing,  // create: the id exists with a byte-identical manifest (no change)
  conflict,  // create: the id exists with a different manifest (no change)
};

struct write_outcome {
  write_status status = write_status::applied;
  model::run_record existing;  // the stored record, for existing/conflict
};

}  // namespace fabro::store
