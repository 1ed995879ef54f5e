#include "model/queue_order.hpp"

namespace fabro::model {

void queue_order::add(uint64_t slot, int64_t delta) {
  for (uint64_t i = slot + 1; i <= tree_.size(); i += i & (~i + 1)) tree_[i - 1] += delta;
}

uint64_t queue_order::prefix(uint64_t slot) const {
  int64_t sum = 0;
  for (uint64_t i = slot + 1; i > 0; i -= i & (~i + 1)) sum += tree_[i - 1];
  return static_cast<uint64_t>(sum);
}

uint64_t queue_order::find_kth(uint64_t k) const {
  // Binary lifting over the implicit tree: O(log n).
  uint64_t pos = 0;
  uint64_t step = 1;
  while (step * 2 <= tree_.size()) step *= 2;
  for (; step > 0; step /= 2) {
    if (pos + step <= tree_.size() && static_cast<uint64_t>(tree_[pos + step - 1]) < k) {
      pos += step;
      k -= static_cast<uint64_t>(tree_[pos - 1]);
    }
  }
  return pos;  // 0-based slot
}

void queue_order::rebuild(uint64_t capacity) {
  // Renumbers the live entries to slots 0..live-1 (order kept) in a tree of
  // `capacity`; O(capacity), amortised by doubling or by removing much.
  std::vector<std::string> live;
  live.reserve(live_);
  for (auto& id : ids_)
    if (!id.empty()) live.push_back(std::move(id));
  ids_.assign(capacity, std::string());
  tree_.assign(capacity, 0);
  for (uint64_t i = 0; i < capacity; ++i) {
    if (i < live.size()) {
      slot_of_[live[i]] = i;
      ids_[i] = std::move(live[i]);
      tree_[i] += 1;
    }
    // Linear-time build: each node hands its sum to its parent.
    uint64_t parent = (i + 1) + ((i + 1) & (~(i + 1) + 1));
    if (parent <= capacity) tree_[parent - 1] += tree_[i];
  }
  next_slot_ = live.size();
}

uint64_t queue_order::push(const std::string& id) {
  if (next_slot_ == tree_.size()) {
    // Full: compact if half the slots are dead, else grow.
    uint64_t capacity = tree_.empty() ? 16 : tree_.size();
    if (live_ * 2 >= capacity) capacity *= 2;
    rebuild(capacity);
  }
  uint64_t slot = next_slot_++;
  ids_[slot] = id;
  slot_of_[id] = slot;
  add(slot, 1);
  return ++live_;
}

bool queue_order::remove(const std::string& id) {
  auto it = slot_of_.find(id);
  if (it == slot_of_.end()) return false;
  add(it->second, -1);
  ids_[it->second].clear();
  slot_of_.erase(it);
  --live_;
  return true;
}

uint64_t queue_order::position_of(const std::string& id) const {
  auto it = slot_of_.find(id);
  return it == slot_of_.end() ? 0 : prefix(it->second);
}

std::optional<std::string> queue_order::at(uint64_t position) const {
  if (position == 0 || position > live_) return std::nullopt;
  return ids_[find_kth(position)];
}

std::optional<std::string> queue_order::front() const { return at(1); }

std::optional<std::string> queue_order::pop_front() {
  auto head = front();
  if (head) remove(*head);
  return head;
}

}  // namespace fabro::model
