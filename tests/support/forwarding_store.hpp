// A run_store that forwards every call to another (tests): derive from it
// and override only what a test changes (a failing commit, a gated sync).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/store_factory.hpp"
#include "store/run_store.hpp"

namespace fabro::testing {

class forwarding_store : public store::run_store {
 public:
  explicit forwarding_store(std::unique_ptr<store::run_store> inner) : inner_(std::move(inner)) {}

  model::result<std::vector<store::write_outcome>> commit(
      const std::vector<store::run_write>& writes) override {
    return inner_->commit(writes);
  }
  model::result<std::vector<store::write_outcome>> commit_unsynced(
      const std::vector<store::run_write>& writes) override {
    return inner_->commit_unsynced(writes);
  }
  model::result<model::done> sync() override { return inner_->sync(); }
  model::result<std::optional<model::run_record>> load_run(const std::string& id) override {
    return inner_->load_run(id);
  }
  model::result<std::optional<std::string>> load_manifest(const std::string& id) override {
    return inner_->load_manifest(id);
  }
  model::result<std::optional<std::string>> load_definition(const std::string& id) override {
    return inner_->load_definition(id);
  }
  model::result<std::optional<std::string>> load_checkpoint(const std::string& id) override {
    return inner_->load_checkpoint(id);
  }
  model::result<std::optional<std::string>> load_artifact(const std::string& id,
                                                          const std::string& name) override {
    return inner_->load_artifact(id, name);
  }
  model::result<std::vector<model::stored_artifact>> list_artifacts(const std::string& id) override {
    return inner_->list_artifacts(id);
  }
  model::result<std::vector<model::run_record>> list_runs(uint64_t offset, uint64_t limit) override {
    return inner_->list_runs(offset, limit);
  }
  model::result<std::vector<model::run_record>> list_runs_before(int64_t created_ms,
                                                                 const std::string& id,
                                                                 uint64_t limit) override {
    return inner_->list_runs_before(created_ms, id, limit);
  }
  model::result<std::vector<model::run_record>> list_runs_in(
      const std::vector<model::run_status>& statuses, uint64_t offset, uint64_t limit) override {
    return inner_->list_runs_in(statuses, offset, limit);
  }
  model::result<std::vector<std::string>> list_events(const std::string& id, uint64_t since,
                                                      uint64_t limit) override {
    return inner_->list_events(id, since, limit);
  }
  model::result<store::unfinished_runs> load_unfinished() override {
    return inner_->load_unfinished();
  }
  model::result<store::store_usage> usage() override { return inner_->usage(); }
  model::result<std::vector<uint64_t>> run_bytes(const std::vector<std::string>& ids) override {
    return inner_->run_bytes(ids);
  }

 private:
  std::unique_ptr<store::run_store> inner_;
};

// A factory whose instances wrap those of `inner` in `Store` (a
// forwarding_store taking (inner instance, args...)).
template <class Store, class... Args>
actors::store_factory wrapped_factory(actors::store_factory inner, Args... args) {
  return [inner, args...]() -> model::result<std::unique_ptr<store::run_store>> {
    auto s = inner();
    if (!s) return s.error();
    return std::unique_ptr<store::run_store>(new Store(std::move(*s), args...));
  };
}

}  // namespace fabro::testing
