// Moves SQLite's WAL checkpoints off the commit path (issue 13: the tail of
// a durable cancel or create was the auto-checkpoint, which copies the WAL
// into the database file and syncs it on the committing thread).
//
// The writing connection's WAL hook calls nudge() after each commit with
// the WAL's size in pages; once it reaches kPages, this object's own thread
// runs a PASSIVE checkpoint on its own connection to the same file (never
// blocking the writer or readers). Should the WAL still grow past
// kInlinePages (the checkpoints cannot keep up, or cannot complete), the
// writer checkpoints inline (checkpoint_inline): it waits for the background
// checkpoint in progress, then runs a RESTART checkpoint, so the next
// commit writes the WAL from its beginning and the WAL stays bounded.
// (SQLite never waits for another connection's checkpoint, busy handler or
// not: without the wait, the inline one would fail while the background one
// runs, and the WAL would grow on.)
// Durability is SQLite's: with synchronous=NORMAL a checkpoint syncs the
// WAL before it copies and the database after.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace fabro::store {

class wal_checkpointer {
 public:
  static constexpr int kPages = 1000;         // SQLite's default auto-checkpoint size
  static constexpr int kInlinePages = 8000;   // ~32 MB of WAL

  // Checkpoints the database at `path` (in WAL mode) from its own thread.
  explicit wal_checkpointer(std::string path);
  ~wal_checkpointer();  // stops the thread (a checkpoint in progress ends first)
  wal_checkpointer(const wal_checkpointer&) = delete;
  wal_checkpointer& operator=(const wal_checkpointer&) = delete;

  // The WAL now holds `pages` pages. Never blocks on a checkpoint. Returns
  // true when the caller should checkpoint inline (pages >= kInlinePages).
  bool nudge(int pages);

  // Checkpoints `writer` (a connection to the same database, not in a
  // transaction) in RESTART mode once no background checkpoint runs.
  // Blocks for both; a failure leaves the WAL as it was (the next call
  // retries).
  void checkpoint_inline(sqlite3* writer);

  // Checkpoints completed so far (tests).
  uint64_t completed() const;

 private:
  void run();

  std::string path_;
  std::mutex checkpointing_;  // held while either kind of checkpoint runs
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false;
  bool stop_ = false;
  uint64_t completed_ = 0;
  std::thread thread_;
};

}  // namespace fabro::store
