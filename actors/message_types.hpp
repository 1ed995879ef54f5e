// Public: actors layer (installed for embedders under include/fabro/).
// How model and store values travel in CAF messages (STYLE §7): one
// `inspect` per struct, listing every field, in the struct's namespace.
// CAF 0.17 cannot inspect std::optional; travelling structs use "unset"
// values instead (documented on each field).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/meta/type_name.hpp>

#include "model/engine/human_gate.hpp"
#include "model/result.hpp"
#include "model/run_creation.hpp"
#include "model/run_event.hpp"
#include "model/run_record.hpp"
#include "store/run_store.hpp"
#include "store/run_write.hpp"

namespace fabro::model {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, diagnostic& x) {
  return f(caf::meta::type_name("diagnostic"), x.rule, x.level, x.message, x.node_id,
           x.edge_from, x.edge_to, x.line, x.column);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, problem& x) {
  return f(caf::meta::type_name("problem"), x.code, x.detail, x.diagnostics);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_record& x) {
  return f(caf::meta::type_name("run_record"), x.id, x.status, x.reason, x.pending_control,
           x.error_message, x.created_at_ms, x.workflow_name, x.goal, x.labels,
           x.host_repo_path, x.start_time_ms, x.duration_ms, x.last_seq, x.queue_position,
           x.queue_seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_event& x) {
  return f(caf::meta::type_name("run_event"), x.run_id, x.seq, x.id, x.ts_ms, x.event,
           x.properties_json, x.node_id, x.node_label, x.stage_id, x.actor_json,
           x.parallel_group_id, x.parallel_branch_id, x.session_id, x.parent_session_id,
           x.tool_call_id);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, new_run& x) {
  return f(caf::meta::type_name("new_run"), x.record, x.manifest_bytes, x.definition,
           x.events);
}

}  // namespace fabro::model

namespace fabro::model {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, stored_artifact& x) {
  return f(caf::meta::type_name("stored_artifact"), x.name, x.size);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, human_answer& x) {
  return f(caf::meta::type_name("human_answer"), x.how, x.text, x.keys);
}

}  // namespace fabro::model

namespace fabro::store {

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_write& x) {
  return f(caf::meta::type_name("run_write"), x.kind, x.record, x.manifest_bytes,
           x.definition, x.events, x.name, x.payload, x.envelopes);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, write_outcome& x) {
  return f(caf::meta::type_name("write_outcome"), x.status, x.existing);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, waiting_row& x) {
  return f(caf::meta::type_name("waiting_row"), x.id, x.status, x.queue_seq);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, store_usage& x) {
  return f(caf::meta::type_name("store_usage"), x.runs, x.bytes, x.engine, x.location);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, unfinished_runs& x) {
  return f(caf::meta::type_name("unfinished_runs"), x.executing, x.waiting);
}

}  // namespace fabro::store

namespace fabro::actors {

// Answer to create: the run and whether this request created it (201) or
// found an identical earlier submission (200).
struct create_result {
  model::run_record record;
  bool created = false;
};

// One page of runs or event envelopes.
struct run_page {
  std::vector<model::run_record> runs;
  bool has_more = false;
};
// Runs as stored with the bytes each keeps (GET /system/df?verbose=true).
struct run_usage_page {
  std::vector<model::run_record> runs;
  std::vector<uint64_t> bytes;  // per run, in order
  bool has_more = false;
};
struct event_page {
  std::vector<std::string> events;  // envelope JSON texts
  bool has_more = false;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, create_result& x) {
  return f(caf::meta::type_name("create_result"), x.record, x.created);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_usage_page& x) {
  return f(caf::meta::type_name("run_usage_page"), x.runs, x.bytes, x.has_more);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, run_page& x) {
  return f(caf::meta::type_name("run_page"), x.runs, x.has_more);
}
template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, event_page& x) {
  return f(caf::meta::type_name("event_page"), x.events, x.has_more);
}

}  // namespace fabro::actors
