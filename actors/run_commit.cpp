// The run actor's commit gate (contract: actors/run_state.hpp).
#include <algorithm>

#include <caf/actor_system.hpp>
#include <caf/sec.hpp>

#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/run_state.hpp"

namespace fabro::actors {
namespace {

constexpr int64_t kFirstRetryMs = 100;
constexpr int64_t kMaxRetryMs = 2000;

caf::error storage_refusal() {
  return to_error(model::errc::storage_failure,
                  "The run store cannot record changes right now (see the server log); "
                  "nothing was changed. Retry later.");
}

void drain_inputs(run_pointer self) {
  auto& st = self->state;
  while (!st.ended && !st.committing && !st.inputs.empty()) {
    auto next = std::move(st.inputs.front());
    st.inputs.pop_front();
    next.run();
  }
}

// Puts the run back as the failed request found it.
void undo(run_state& st, undo_point& u, std::vector<model::run_event>& events,
          std::vector<store::run_write>& extra) {
  st.live = std::move(u.live);
  st.started = u.started;
  st.wait = u.wait;
  st.question_id = std::move(u.question_id);
  st.held = std::move(u.held);
  events.resize(std::min(events.size(), u.pending));
  extra.resize(std::min(extra.size(), u.extra));
  st.pending = std::move(events);
  st.extra = std::move(extra);
}

void send_commit(run_pointer self, std::optional<undo_point> request) {
  auto& st = self->state;
  stamp_events(st.pending);
  std::vector<store::run_write> writes;
  writes.push_back({store::write_kind::update, st.live, "", "", {}, "", ""});
  if (!st.pending.empty())
    writes.push_back({store::write_kind::append, st.live, "", "", st.pending, "", ""});
  for (const auto& w : st.extra) writes.push_back(w);
  auto events = std::move(st.pending);
  auto extra = std::move(st.extra);
  st.pending.clear();
  st.extra.clear();
  auto nexts = std::move(st.after_commit);
  st.after_commit.clear();
  auto snapshot = st.live;
  st.uncommitted_stages = 0;
  st.committing = true;
  self->request(st.journal, caf::infinite, commit_atom::value, std::move(writes))
      .then(
          [=](const std::vector<store::write_outcome>&) {
            auto& st = self->state;
            st.committing = false;
            st.storage_down = false;
            st.retry_ms = 0;
            st.committed = snapshot;
            for (const auto& next : nexts)
              if (!st.ended) next();
            if (!st.ended && !st.committing && !st.after_commit.empty())
              send_commit(self, std::nullopt);
            drain_inputs(self);
          },
          [=](caf::error& err) mutable {
            auto& st = self->state;
            st.committing = false;
            if (to_problem(err).code != model::errc::storage_failure) {
              // The journal is gone (shutting down): nothing more can be
              // recorded; recovery ends the run on restart.
              if (request) request->promise.deliver(err);
              return end_run(self);
            }
            if (request) {
              auto promise = request->promise;
              undo(st, *request, events, extra);
              promise.deliver(storage_refusal());
            } else {
              // Progress is kept, ahead of anything pending since.
              events.insert(events.end(), st.pending.begin(), st.pending.end());
              st.pending = std::move(events);
              for (auto& w : st.extra) extra.push_back(std::move(w));
              st.extra = std::move(extra);
              nexts.insert(nexts.end(), st.after_commit.begin(), st.after_commit.end());
              st.after_commit = std::move(nexts);
            }
            st.storage_down = true;
            st.retry_ms = std::clamp(st.retry_ms * 2, kFirstRetryMs, kMaxRetryMs);
            self->delayed_send(self, std::chrono::milliseconds(st.retry_ms), commit_atom::value);
            st.refusing = true;  // what waited for this commit is refused, not retried
            drain_inputs(self);
            st.refusing = false;
          });
}

}  // namespace

void commit_pending(run_pointer self, std::function<void()> next) {
  auto& st = self->state;
  if (next) st.after_commit.push_back(std::move(next));
  auto request = std::move(st.undo);
  st.undo.reset();
  // In flight or failing: these writes ride with the next commit or retry.
  if (st.committing || st.storage_down) return;
  send_commit(self, std::move(request));
}

void retry_commit(run_pointer self) {
  auto& st = self->state;
  if (st.ended || st.committing || !st.storage_down) return;
  send_commit(self, std::nullopt);
}

namespace {

void handle_request(run_pointer self, const std::function<void(record_promise&)>& handle,
                    record_promise promise) {
  auto& st = self->state;
  if (st.storage_down) {
    if (st.refusing) {
      promise.deliver(storage_refusal());
      return;
    }
    // Probe the store now rather than at the next retry: the request is
    // handled if the commit goes through, refused if it fails.
    st.inputs.push_back({[=] { handle_request(self, handle, promise); }, promise});
    if (!st.committing) send_commit(self, std::nullopt);
    return;
  }
  if (st.committing) {
    st.inputs.push_back({[=] { handle_request(self, handle, promise); }, promise});
    return;
  }
  st.undo = undo_point{st.live,  st.started,        st.wait,          st.question_id,
                       st.held,  st.pending.size(), st.extra.size(), promise};
  handle(promise);
  st.undo.reset();  // answered without a commit
}

}  // namespace

caf::result<model::run_record> admit_request(run_pointer self,
                                             std::function<void(record_promise&)> handle) {
  auto promise = self->make_response_promise<model::run_record>();
  handle_request(self, handle, promise);
  return promise;
}

void admit_input(run_pointer self, std::function<void()> handle) {
  auto& st = self->state;
  if (st.ended) return;
  if (st.committing) st.inputs.push_back({std::move(handle), std::nullopt});
  else handle();
}

void end_run(run_pointer self) {
  auto& st = self->state;
  st.ended = true;
  for (auto& in : st.inputs)
    if (in.promise) in.promise->deliver(caf::make_error(caf::sec::request_receiver_down));
  st.inputs.clear();
  if (auto asker = std::exchange(st.asker, std::nullopt))
    asker->deliver(caf::make_error(caf::sec::request_receiver_down));
  self->quit();
}

}  // namespace fabro::actors
