// In-memory run store for actor tests and embedders that need no
// durability. Instances made from the same `memory_run_data` share one data
// set (a writer and readers, like SQLite connections). Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "store/run_store.hpp"

namespace fabro::store {

// The shared data behind memory_run_store instances.
struct memory_run_data {
  struct entry {
    model::run_record record;
    std::string manifest;
    std::string definition;
    std::vector<std::string> events;  // envelope JSON, index = seq - 1
    std::optional<std::string> checkpoint;
    std::map<std::string, std::string> artifacts;
  };
  std::mutex mutex;
  std::map<std::string, entry> runs;
  uint64_t commits = 0;  // number of commit() calls that applied (tests)
};

class memory_run_store final : public run_store {
 public:
  explicit memory_run_store(std::shared_ptr<memory_run_data> data);

  model::result<std::vector<write_outcome>> commit(const std::vector<run_write>& writes) override;
  model::result<std::optional<model::run_record>> load_run(const std::string& id) override;
  model::result<std::optional<std::string>> load_manifest(const std::string& id) override;
  model::result<std::optional<std::string>> load_definition(const std::string& id) override;
  model::result<std::optional<std::string>> load_checkpoint(const std::string& id) override;
  model::result<std::optional<std::string>> load_artifact(const std::string& id,
                                                          const std::string& name) override;
  model::result<std::vector<model::stored_artifact>> list_artifacts(const std::string& id) override;
  model::result<std::vector<model::run_record>> list_runs(uint64_t offset,
                                                          uint64_t limit) override;
  model::result<std::vector<model::run_record>> list_runs_before(int64_t created_ms,
                                                                 const std::string& id,
                                                                 uint64_t limit) override;
  model::result<std::vector<model::run_record>> list_runs_in(
      const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) override;
  model::result<std::vector<std::string>> list_events(const std::string& id,
                                                      uint64_t since_seq,
                                                      uint64_t limit) override;
  model::result<unfinished_runs> load_unfinished() override;
  model::result<store_usage> usage() override;
  model::result<std::vector<uint64_t>> run_bytes(const std::vector<std::string>& ids) override;

 private:
  std::shared_ptr<memory_run_data> data_;
};

}  // namespace fabro::store
