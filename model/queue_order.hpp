// The FIFO of queued runs with exact 1-based positions (DESIGN §3, §4.2).
//
// A Fenwick tree over enqueue sequence numbers counts the runs still
// queued at or before each number, so position lookup, removal from any
// place (a cancelled queued run) and taking the head are all O(log n); a
// million queued runs stay cheap. At every moment the positions of the
// queued runs are exactly 1..size() in enqueue order.
//
// Not thread-safe; owned by the queue manager actor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace fabro::model {

class queue_order {
 public:
  // Appends `id` at the tail. Returns its position (= size()).
  // REQUIRES: !contains(id).
  uint64_t push(const std::string& id);

  // Removes `id` wherever it is; the runs behind it move up by one.
  // Returns false when it was not queued.
  bool remove(const std::string& id);

  // 1-based position of `id`; 0 when it is not queued.
  uint64_t position_of(const std::string& id) const;

  // The head (position 1), if any.
  std::optional<std::string> front() const;

  // Removes and returns the head, if any.
  std::optional<std::string> pop_front();

  // The id at 1-based `position`; nullopt when out of range.
  std::optional<std::string> at(uint64_t position) const;

  bool contains(const std::string& id) const { return slot_of_.count(id) != 0; }
  uint64_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

 private:
  void add(uint64_t slot, int64_t delta);
  uint64_t prefix(uint64_t slot) const;       // live entries in slots [0, slot]
  uint64_t find_kth(uint64_t k) const;        // slot of the k-th live entry (k >= 1)
  void rebuild(uint64_t capacity);            // compacts slots to 0..live-1

  std::vector<int64_t> tree_;                 // Fenwick tree, 1-based internally
  std::vector<std::string> ids_;              // slot -> id ("" once removed)
  std::unordered_map<std::string, uint64_t> slot_of_;
  uint64_t next_slot_ = 0;                    // slot of the next push
  uint64_t live_ = 0;
};

}  // namespace fabro::model
