#include "store/wal_checkpointer.hpp"

#include <pthread.h>
#include <sqlite3.h>

namespace fabro::store {

wal_checkpointer::wal_checkpointer(std::string path) : path_(std::move(path)) {
  thread_ = std::thread([this] { run(); });
}

wal_checkpointer::~wal_checkpointer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

bool wal_checkpointer::nudge(int pages) {
  if (pages < kPages) return false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    due_ = true;
  }
  wake_.notify_one();
  return pages >= kInlinePages;
}

void wal_checkpointer::checkpoint_inline(sqlite3* writer) {
  std::lock_guard<std::mutex> lock(checkpointing_);
  bool ok = sqlite3_wal_checkpoint_v2(writer, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                      nullptr) == SQLITE_OK;
  std::lock_guard<std::mutex> count(mutex_);
  if (ok) ++completed_;
}

uint64_t wal_checkpointer::completed() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return completed_;
}

void wal_checkpointer::run() {
  pthread_setname_np(pthread_self(), "store.ckpt");
  sqlite3* db = nullptr;
  bool opened = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                                nullptr) == SQLITE_OK;
  if (opened) {
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    sqlite3_busy_timeout(db, 0);  // PASSIVE never waits anyway
  }
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return due_ || stop_; });
    if (stop_) break;
    due_ = false;
    lock.unlock();
    // A failure (busy, I/O) is retried at the next nudge; the writer's
    // inline checkpoint bounds the WAL meanwhile.
    bool ok = false;
    if (opened) {
      std::lock_guard<std::mutex> checkpointing(checkpointing_);
      ok = sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                     nullptr) == SQLITE_OK;
    }
    lock.lock();
    if (ok) ++completed_;
  }
  lock.unlock();
  sqlite3_close(db);
}

}  // namespace fabro::store
