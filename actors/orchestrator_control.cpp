// The orchestrator's queue and control behaviors: start (queue), launch,
// cancel / pause / unpause, delete. State and helpers: orchestrator_state.hpp.
#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/orchestrator_state.hpp"
#include "model/run_event.hpp"
#include "model/run_control.hpp"

namespace fabro::actors {
namespace {

caf::error queue_full(const orchestrator_state& st) {
  return to_error(model::errc::queue_full,
                  "The queue is full (" + std::to_string(st.queue_cfg.max_queued_runs) +
                      " runs waiting). Retry later.");
}

bool at_capacity(const orchestrator_state& st) {
  return st.queue_cfg.max_queued_runs > 0 && st.waiting.size() >= st.queue_cfg.max_queued_runs;
}

// A run that cannot start because it is over (or unknown): Fabro's 409
// "cannot start run: status is …", or run_not_found.
void refuse_start(orchestrator_pointer self, const std::string& id, record_promise promise) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](model::run_record& r) mutable {
            promise.deliver(to_error(model::errc::conflict, "cannot start run: status is " +
                                                                model::status_title(r.status) +
                                                                ", expected submitted"));
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
}

// Queues the live run `id`: durable `queued` first, then the queue.
void enqueue(orchestrator_pointer self, const std::string& id, bool resume,
             record_promise promise) {
  auto& st = self->state;
  auto live = st.runs.find(id);
  st.waiting.insert(id);
  self->request(live->second, caf::infinite, queue_atom::value, st.next_queue_seq++, resume)
      .then(
          [=](model::run_record& r) mutable {
            if (resume) self->state.resuming.insert(id);
            self->request(self->state.queue, caf::infinite, enqueue_atom::value, id)
                .then(
                    [=](uint64_t position) mutable {
                      r.queue_position = position;
                      promise.deliver(std::move(r));
                    },
                    [=](caf::error& err) mutable { promise.deliver(err); });
          },
          [=](caf::error& err) mutable {
            self->state.waiting.erase(id);
            // The run actor ended meanwhile (its down message not yet here).
            if (err.category() == caf::atom("fabro")) promise.deliver(err);
            else refuse_start(self, id, promise);
          });
}

}  // namespace

caf::result<model::run_record> start(orchestrator_pointer self, const std::string& id,
                                     bool resume) {
  auto& st = self->state;
  auto promise = self->make_response_promise<model::run_record>();
  wake(self, id);
  auto live = st.runs.find(id);
  if (resume) {
    // A checkpoint must exist; the status is not otherwise checked (as in
    // Fabro): a finished run gets its actor back and is queued again.
    self->request(st.reader, caf::infinite, checkpoint_atom::value, id)
        .then(
            [=](std::string& ckpt) mutable {
              if (ckpt.empty()) {
                promise.deliver(to_error(model::errc::conflict, "no checkpoint to resume from"));
                return;
              }
              if (!self->state.waiting.count(id) && at_capacity(self->state)) {
                promise.deliver(queue_full(self->state));
                return;
              }
              if (wake(self, id)) {
                enqueue(self, id, true, promise);
                return;
              }
              self->request(self->state.reader, caf::infinite, get_atom::value, id)
                  .then(
                      [=](model::run_record& r) mutable {
                        adopt_run(self, std::move(r));
                        enqueue(self, id, true, promise);
                      },
                      [=](caf::error& err) mutable { promise.deliver(err); });
            },
            [=](caf::error& err) mutable { promise.deliver(err); });
    return promise;
  }
  if (live == st.runs.end()) {
    refuse_start(self, id, promise);  // not live: terminal or unknown
    return promise;
  }
  if (!st.waiting.count(id) && at_capacity(st)) {
    promise.deliver(queue_full(st));  // a promise once made must answer
    return promise;
  }
  enqueue(self, id, false, promise);
  return promise;
}

// Created already queued: the record (status queued, its queue_seq), its
// events run.created, run.submitted and run.queued commit in one write (one
// sync), then the queue manager places it.
caf::result<create_result> create_and_start(orchestrator_pointer self, model::new_run& run) {
  auto& st = self->state;
  if (at_capacity(st)) return queue_full(st);
  auto id = run.record.id;
  bool counted = st.waiting.insert(id).second;  // held against max_queued_runs now
  run.record.status = model::run_status::queued;
  run.record.queue_seq = st.next_queue_seq++;
  model::run_event queued;
  queued.run_id = id;
  queued.seq = ++run.record.last_seq;
  queued.event = "run.queued";
  queued.properties_json = "{}";
  std::vector<model::run_event> stamped{std::move(queued)};
  stamp_events(stamped);
  if (run.envelopes.size() == run.events.size())
    run.envelopes.push_back(model::envelope_json(stamped[0]));
  run.events.push_back(std::move(stamped[0]));
  auto w = create_write(run);
  auto record = std::move(run.record);
  auto promise = self->make_response_promise<create_result>();
  auto uncount = [=] {
    if (counted) self->state.waiting.erase(id);
  };
  self->request(st.journal, caf::infinite, commit_atom::value,
                std::vector<store::run_write>{std::move(w)})
      .then(
          [=](std::vector<store::write_outcome>& out) mutable {
            auto& o = out.at(0);
            if (o.status != store::write_status::applied) {
              uncount();
              // An earlier identical submission answers as it is (not started).
              auto answer = [promise](create_result r) mutable { promise.deliver(std::move(r)); };
              if (o.status == store::write_status::existing)
                answer_existing(self, std::move(o.existing), answer);
              else
                promise.deliver(to_error(conflicting_run(id)));
              return;
            }
            adopt_run(self, record);
            self->request(self->state.queue, caf::infinite, enqueue_atom::value, id)
                .then(
                    [=](uint64_t position) mutable {
                      auto r = record;
                      r.queue_position = position;
                      promise.deliver(create_result{std::move(r), true});
                    },
                    [=](caf::error& err) mutable { promise.deliver(err); });
          },
          [=](caf::error& err) mutable {
            uncount();
            promise.deliver(err);
          });
  return promise;
}

namespace {

constexpr auto kLaunchRetry = std::chrono::milliseconds(500);

// Starts the admitted run `id` (holding its slot). While the store fails it
// keeps the slot and tries again, so the queue's order is kept.
void start_admitted(orchestrator_pointer self, const std::string& id, bool resume) {
  auto release = [=] { self->send(self->state.queue, release_atom::value, id); };
  auto retry_or_release = [=](const caf::error& err) {
    if (to_problem(err).code != model::errc::storage_failure) return release();
    self->delayed_send(self, kLaunchRetry, launch_atom::value, id, resume);
  };
  if (!self->state.runs.count(id)) return release();  // ended (cancelled) meanwhile
  self->request(self->state.reader, caf::infinite, definition_atom::value, id)
      .then(
          [=](std::string& def) {
            auto start_with = [=](std::string from) {
              auto live = self->state.runs.find(id);
              if (live == self->state.runs.end()) return release();
              self->request(live->second, caf::infinite, start_atom::value, def, from)
                  .then([](const model::run_record&) {}, retry_or_release);
            };
            if (!resume) return start_with("");
            self->request(self->state.reader, caf::infinite, checkpoint_atom::value, id)
                .then([=](std::string& ckpt) { start_with(ckpt); }, retry_or_release);
          },
          retry_or_release);
}

}  // namespace

void launch(orchestrator_pointer self, const std::string& id) {
  auto& st = self->state;
  st.waiting.erase(id);
  bool resume = st.resuming.erase(id) > 0;
  start_admitted(self, id, resume);
}

void relaunch(orchestrator_pointer self, const std::string& id, bool resume) {
  start_admitted(self, id, resume);
}

caf::result<model::run_record> control(orchestrator_pointer self, model::control_action action,
                                       const std::string& id, const std::string& login) {
  auto& st = self->state;
  auto promise = self->make_response_promise<model::run_record>();
  if (auto dormant = st.dormant.find(id); dormant != st.dormant.end()) {
    // Only what applies to a submitted run wakes it (cancel).
    auto d = model::decide_control(dormant->second, action);
    if (!d) {
      promise.deliver(to_error(d.error()));
      return promise;
    }
    wake(self, id);
  }
  auto live = st.runs.find(id);
  auto refuse_from_store = [=]() mutable {
    // Not live: the stored (terminal) record decides the 409, or 404.
    self->request(self->state.reader, caf::infinite, get_atom::value, id)
        .then(
            [=](model::run_record& r) mutable {
              auto d = model::decide_control(r, action);
              promise.deliver(d ? to_error(model::errc::conflict, "Run is not active.")
                                : to_error(d.error()));
            },
            [=](caf::error& err) mutable { promise.deliver(err); });
  };
  if (live == st.runs.end()) {
    refuse_from_store();
    return promise;
  }
  self->request(live->second, caf::infinite, control_atom::value, action, login)
      .then(
          [=](model::run_record& r) mutable {
            if (model::is_terminal(r.status)) self->state.waiting.erase(id);
            deliver_with_position(self, std::move(r), promise);
          },
          [=](caf::error& err) mutable {
            if (err.category() == caf::atom("fabro")) promise.deliver(err);
            else refuse_from_store();  // the run ended meanwhile
          });
  return promise;
}

caf::result<bool> remove(orchestrator_pointer self, const std::string& id, bool force) {
  auto& st = self->state;
  auto promise = self->make_response_promise<bool>();
  auto erase = [=]() mutable {
    store::run_write w;
    w.kind = store::write_kind::remove;
    w.record.id = id;
    self->request(self->state.journal, caf::infinite, commit_atom::value,
                  std::vector<store::run_write>{w})
        .then([=](const std::vector<store::write_outcome>&) mutable { promise.deliver(true); },
              [=](caf::error& err) mutable { promise.deliver(err); });
  };
  if (st.dormant.erase(id) > 0) {  // submitted, never started: nothing to stop
    erase();
    return promise;
  }
  if (!st.runs.count(id)) {
    self->request(st.reader, caf::infinite, get_atom::value, id)
        .then([=](const model::run_record&) mutable { erase(); },
              [=](caf::error& err) mutable {
                if (to_problem(err).code == model::errc::run_not_found) promise.deliver(false);
                else promise.deliver(err);
              });
    return promise;
  }
  if (!force) {
    promise.deliver(
        to_error(model::errc::conflict, "Run is active; cancel it first or use force=true."));
    return promise;
  }
  // Cancel, then remove once the run actor has ended (run_ended).
  st.deleting[id].push_back(promise);
  self->request(st.runs.at(id), caf::infinite, control_atom::value,
                model::control_action::cancel, std::string("system"))
      .then([](const model::run_record&) {}, [](caf::error&) {});
  return promise;
}

void run_ended(orchestrator_pointer self, const std::string& id) {
  auto& st = self->state;
  st.waiting.erase(id);
  self->send(st.queue, release_atom::value, id);  // idempotent
  auto it = st.deleting.find(id);
  if (it == st.deleting.end()) return;
  auto promises = std::move(it->second);
  st.deleting.erase(it);
  store::run_write w;
  w.kind = store::write_kind::remove;
  w.record.id = id;
  self->request(st.journal, caf::infinite, commit_atom::value, std::vector<store::run_write>{w})
      .then(
          [=](const std::vector<store::write_outcome>&) mutable {
            for (auto& p : promises) p.deliver(true);
          },
          [=](caf::error& err) mutable {
            for (auto& p : promises) p.deliver(err);
          });
}

}  // namespace fabro::actors
