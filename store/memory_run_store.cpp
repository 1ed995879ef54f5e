#include "store/memory_run_store.hpp"

#include <algorithm>

namespace fabro::store {

using model::result;
using model::run_record;

memory_run_store::memory_run_store(std::shared_ptr<memory_run_data> data)
    : data_(std::move(data)) {}

namespace {

std::string envelope_of(const run_write& w, size_t i) {
  return w.envelopes.size() == w.events.size() ? w.envelopes[i] : model::envelope_json(w.events[i]);
}

}  // namespace

result<std::vector<write_outcome>> memory_run_store::commit(const std::vector<run_write>& writes) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<write_outcome> out;
  for (const auto& w : writes) {
    write_outcome o;
    auto it = data_->runs.find(w.record.id);
    switch (w.kind) {
      case write_kind::create:
        if (it != data_->runs.end()) {
          o.status = it->second.manifest == w.manifest_bytes ? write_status::existing
                                                              : write_status::conflict;
          o.existing = it->second.record;
          o.existing.last_seq = it->second.events.size();
        } else {
          auto& e = data_->runs[w.record.id];
          e.record = w.record;
          e.manifest = w.manifest_bytes;
          e.definition = w.definition;
          for (size_t i = 0; i < w.events.size(); ++i) e.events.push_back(envelope_of(w, i));
        }
        break;
      case write_kind::update:
        if (it != data_->runs.end()) it->second.record = w.record;
        break;
      case write_kind::append:
        if (it != data_->runs.end())
          for (size_t i = 0; i < w.events.size(); ++i)
            it->second.events.push_back(envelope_of(w, i));
        break;
      case write_kind::remove:
        if (it != data_->runs.end()) data_->runs.erase(it);
        break;
      case write_kind::checkpoint:
        if (it != data_->runs.end()) it->second.checkpoint = w.payload;
        break;
      case write_kind::artifact:
        if (it != data_->runs.end()) it->second.artifacts[w.name] = w.payload;
        break;
    }
    out.push_back(std::move(o));
  }
  ++data_->commits;
  return out;
}

result<std::optional<run_record>> memory_run_store::load_run(const std::string& id) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return std::optional<run_record>{};
  run_record r = it->second.record;
  r.last_seq = it->second.events.size();
  return std::optional<run_record>{r};
}

result<std::optional<std::string>> memory_run_store::load_manifest(const std::string& id) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return std::optional<std::string>{};
  return std::optional<std::string>{it->second.manifest};
}

result<std::optional<std::string>> memory_run_store::load_definition(const std::string& id) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return std::optional<std::string>{};
  return std::optional<std::string>{it->second.definition};
}

result<std::optional<std::string>> memory_run_store::load_checkpoint(const std::string& id) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return std::optional<std::string>{};
  return it->second.checkpoint;
}

result<std::optional<std::string>> memory_run_store::load_artifact(const std::string& id,
                                                                   const std::string& name) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return std::optional<std::string>{};
  auto a = it->second.artifacts.find(name);
  if (a == it->second.artifacts.end()) return std::optional<std::string>{};
  return std::optional<std::string>{a->second};
}

result<std::vector<model::stored_artifact>> memory_run_store::list_artifacts(const std::string& id) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<model::stored_artifact> out;
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return out;
  for (const auto& [name, bytes] : it->second.artifacts) out.push_back({name, bytes.size()});
  return out;
}

result<std::vector<run_record>> memory_run_store::list_runs(uint64_t offset, uint64_t limit) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<run_record> all;
  for (const auto& [id, e] : data_->runs) all.push_back(e.record);
  std::sort(all.begin(), all.end(), [](const run_record& a, const run_record& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms > b.created_at_ms : a.id > b.id;
  });
  std::vector<run_record> page;
  for (uint64_t i = offset; i < all.size() && page.size() < limit; ++i) page.push_back(all[i]);
  return page;
}

result<std::vector<run_record>> memory_run_store::list_runs_before(int64_t created_ms,
                                                                   const std::string& id,
                                                                   uint64_t limit) {
  auto all = list_runs(0, UINT64_MAX);
  if (!all) return all.error();
  std::vector<run_record> page;
  for (auto& r : *all)
    if ((r.created_at_ms < created_ms || (r.created_at_ms == created_ms && r.id < id)) &&
        page.size() < limit)
      page.push_back(std::move(r));
  return page;
}

result<std::vector<run_record>> memory_run_store::list_runs_in(
    const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) {
  auto all = list_runs(0, UINT64_MAX);
  if (!all) return all.error();
  std::vector<run_record> page;
  uint64_t skipped = 0;
  for (auto& r : *all) {
    if (std::find(statuses.begin(), statuses.end(), r.status) == statuses.end()) continue;
    if (skipped++ < offset) continue;
    if (page.size() == limit) break;
    page.push_back(std::move(r));
  }
  return page;
}

result<store_usage> memory_run_store::usage() {
  std::lock_guard<std::mutex> guard(data_->mutex);
  store_usage u;
  u.engine = "memory";
  u.runs = data_->runs.size();
  for (const auto& [id, e] : data_->runs) {
    u.bytes += e.manifest.size();
    for (const auto& ev : e.events) u.bytes += ev.size();
  }
  return u;
}

result<std::vector<uint64_t>> memory_run_store::run_bytes(const std::vector<std::string>& ids) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<uint64_t> out;
  for (const auto& id : ids) {
    uint64_t n = 0;
    if (auto it = data_->runs.find(id); it != data_->runs.end()) {
      const auto& e = it->second;
      n = e.manifest.size() + e.definition.size() + (e.checkpoint ? e.checkpoint->size() : 0);
      for (const auto& ev : e.events) n += ev.size();
      for (const auto& [name, bytes] : e.artifacts) n += bytes.size();
    }
    out.push_back(n);
  }
  return out;
}

result<std::vector<std::string>> memory_run_store::list_events(const std::string& id,
                                                               uint64_t since_seq,
                                                               uint64_t limit) {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<std::string> out;
  auto it = data_->runs.find(id);
  if (it == data_->runs.end()) return out;
  const auto& ev = it->second.events;
  for (uint64_t seq = std::max<uint64_t>(since_seq, 1); seq <= ev.size() && out.size() < limit;
       ++seq)
    out.push_back(ev[seq - 1]);
  return out;
}

result<unfinished_runs> memory_run_store::load_unfinished() {
  std::lock_guard<std::mutex> guard(data_->mutex);
  std::vector<run_record> all;
  for (const auto& [id, e] : data_->runs) {
    if (model::is_terminal(e.record.status)) continue;
    all.push_back(e.record);
    all.back().last_seq = e.events.size();
  }
  std::sort(all.begin(), all.end(), [](const run_record& a, const run_record& b) {
    return a.created_at_ms != b.created_at_ms ? a.created_at_ms < b.created_at_ms : a.id < b.id;
  });
  unfinished_runs out;
  for (auto& r : all) {
    if (r.status == model::run_status::submitted || r.status == model::run_status::queued)
      out.waiting.push_back({r.id, r.status, r.queue_seq});
    else
      out.executing.push_back(std::move(r));
  }
  return out;
}

}  // namespace fabro::store
