// What a manifest's bytes resolve to, remembered for the next submission of
// the same bytes. Parsing and checking a manifest (parse_manifest,
// resolve_bundle, the definition's JSON) is a pure function of its bytes and
// the largest CPU cost of a create (~50 µs of the HTTP thread for the
// 1.1 KB example, benchmarks/README.md); clients submit the same workflow
// over and over (a CI job, a load test), so the same bytes come back.
//
// Bounded: at most `max_entries` entries and `max_bytes` of keys and
// definitions together; an entry larger than an eighth of `max_bytes` is not
// kept. The least recently used entry goes first. Only valid manifests are
// kept (what failed is answered from scratch each time). Thread-safe: the
// HTTP threads share one (a mutex held for a lookup or an insert, never
// while parsing).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "model/run_manifest.hpp"

namespace fabro::model {

struct prepared_manifest {
  run_manifest manifest;
  std::string workflow_name;
  std::string goal;        // the winning goal (run_definition::goal)
  std::string definition;  // to_json(run_definition)
};

class prepared_manifests {
 public:
  explicit prepared_manifests(size_t max_entries = 64, size_t max_bytes = 8u << 20);

  // The entry for exactly these bytes, or null.
  std::shared_ptr<const prepared_manifest> find(std::string_view bytes);
  // Remembers `p` for `bytes` (replacing nothing: the first one stays).
  void insert(std::string_view bytes, std::shared_ptr<const prepared_manifest> p);

  size_t size() const;

 private:
  struct entry {
    std::string key;
    std::shared_ptr<const prepared_manifest> value;
  };
  size_t cost(const entry& e) const { return e.key.size() + e.value->definition.size(); }

  const size_t max_entries_, max_bytes_;
  mutable std::mutex mutex_;
  std::list<entry> lru_;  // most recent first
  std::unordered_map<std::string_view, std::list<entry>::iterator> index_;  // keys in lru_
  size_t bytes_ = 0;
};

}  // namespace fabro::model
