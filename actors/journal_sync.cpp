#include "actors/journal_sync.hpp"

#include <pthread.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>

#include <caf/actor_cast.hpp>
#include <caf/send.hpp>

namespace fabro::actors {

struct journal_syncer::shared {
  std::shared_ptr<store::run_store> store;
  caf::weak_actor_ptr journal;
  std::mutex mutex;
  std::condition_variable wake;
  std::deque<committed_batch> queue;
  bool stopping = false;
  // Set by the first failed sync (sync thread only): later batches sit in
  // the WAL behind what may be lost, so none of them is ever released.
  std::optional<model::problem> broken;
};

namespace {

void answer_all(committed_batch& b, const model::problem& p) {
  for (auto& [w, r] : b.created) w->done(p);
  for (auto& e : b.notice.existing) e.waiter->done(p);
  for (auto& [w, why] : b.refused) w->done(p);
}

// Tells whoever waits on the batches of one sync, in batch order.
void release(journal_syncer::shared& s, std::vector<committed_batch>& round,
             const model::problem* failure) {
  for (auto& b : round) {
    if (failure) {
      answer_all(b, *failure);
      continue;
    }
    if (!b.events.empty() && b.listener)
      caf::anon_send(b.listener, publish_atom::value, std::move(b.events));
    // The orchestrator first: a client holding its 201 finds the run known.
    if (b.created_to) {
      if (!b.notice.created.empty() || !b.notice.existing.empty())
        caf::anon_send(b.created_to, created_atom::value, std::move(b.notice));
    } else {
      for (auto& e : b.notice.existing) e.waiter->done(create_result{std::move(e.record), false});
    }
    for (auto& [w, r] : b.created) w->done(std::move(r));
    for (auto& [w, why] : b.refused) w->done(std::move(why));
  }
  std::string detail;
  if (failure) detail = failure->detail.empty() ? "sync failed" : failure->detail;
  if (auto j = s.journal.lock())
    caf::anon_send(caf::actor_cast<journal_actor>(j), synced_atom::value, round.back().number,
                   std::move(detail));
}

void loop(std::shared_ptr<journal_syncer::shared> s) {
  pthread_setname_np(pthread_self(), "journal.sync");  // for top and perf
  std::unique_lock<std::mutex> lock(s->mutex);
  for (;;) {
    s->wake.wait(lock, [&] { return s->stopping || !s->queue.empty(); });
    if (s->queue.empty()) return;  // stopping, and nothing left to release
    // Everything here was committed before this sync begins.
    std::vector<committed_batch> round(std::make_move_iterator(s->queue.begin()),
                                       std::make_move_iterator(s->queue.end()));
    s->queue.clear();
    lock.unlock();
    if (!s->broken)
      if (auto synced = s->store->sync(); !synced) s->broken = synced.error();
    release(*s, round, s->broken ? &*s->broken : nullptr);
    round.clear();
    lock.lock();
  }
}

}  // namespace

journal_syncer::journal_syncer(std::shared_ptr<store::run_store> store,
                               caf::weak_actor_ptr journal)
    : s_(std::make_shared<shared>()) {
  s_->store = std::move(store);
  s_->journal = std::move(journal);
  thread_ = std::thread(loop, s_);
}

journal_syncer::~journal_syncer() { stop(); }

void journal_syncer::push(committed_batch batch) {
  {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->queue.push_back(std::move(batch));
  }
  s_->wake.notify_one();
}

void journal_syncer::stop() {
  {
    std::lock_guard<std::mutex> lock(s_->mutex);
    s_->stopping = true;
  }
  s_->wake.notify_one();
  if (!thread_.joinable()) return;
  if (thread_.get_id() == std::this_thread::get_id()) thread_.detach();
  else thread_.join();
}

}  // namespace fabro::actors
