#include "model/prepared_manifests.hpp"

namespace fabro::model {

prepared_manifests::prepared_manifests(size_t max_entries, size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes) {}

std::shared_ptr<const prepared_manifest> prepared_manifests::find(std::string_view bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(bytes);
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->value;
}

void prepared_manifests::insert(std::string_view bytes,
                                std::shared_ptr<const prepared_manifest> p) {
  if (!p || max_entries_ == 0 || bytes.size() + p->definition.size() > max_bytes_ / 8) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (index_.count(bytes)) return;
  lru_.push_front(entry{std::string(bytes), std::move(p)});
  index_.emplace(lru_.front().key, lru_.begin());
  bytes_ += cost(lru_.front());
  while (lru_.size() > max_entries_ || bytes_ > max_bytes_) {
    auto& last = lru_.back();
    bytes_ -= cost(last);
    index_.erase(last.key);
    lru_.pop_back();
  }
}

size_t prepared_manifests::size() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return lru_.size();
}

}  // namespace fabro::model
