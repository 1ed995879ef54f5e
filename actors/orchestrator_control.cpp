// The orchestrator's queue and control behaviors: start (queue), launch,
// cancel / pause / unpause, delete. State and helpers: orchestrator_state.hpp.
//
// Queueing a waiting run is three steps, in this order: the queue manager
// reserves its place and sequence number, the journal commits the run as
// queued with that number, the queue manager confirms it (or, when the
// commit failed, abandons it). Commits and replies keep their order, so the
// persisted order is the queue's order.
#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/orchestrator_state.hpp"
#include "actors/run_intake.hpp"
#include "model/run_control.hpp"
#include "model/run_event.hpp"
#include "model/run_queueing.hpp"

namespace fabro::actors {
namespace {

using writes = std::vector<store::run_write>;
using outcomes = std::vector<store::write_outcome>;

// Answers a request on waiting run `id` and lets the next one run.
template <class Promise>
auto replier(orchestrator_pointer self, const std::string& id, Promise promise) {
  return [self, id, promise](auto&& answer) mutable {
    promise.deliver(std::forward<decltype(answer)>(answer));
    next(self, id);
  };
}

// The update and run.queued of `r` (status checked by check_queueable),
// committed with the sequence number the queue manager reserved; answers
// the queued record with its position.
template <class Reply>
void queue_waiting(orchestrator_pointer self, model::run_record r, bool resume, Reply reply) {
  auto id = r.id;
  self->request(self->state.queue, caf::infinite, reserve_atom::value, id)
      .then(
          [=](uint64_t seq) mutable {
            auto q = model::queue_run(std::move(r), seq, resume);
            std::vector<model::run_event> events{std::move(q.event)};
            stamp_events(events);
            writes w{{store::write_kind::update, q.record, "", "", {}, "", ""},
                     {store::write_kind::append, q.record, "", "", std::move(events), "", ""}};
            self->request(self->state.journal, caf::infinite, commit_atom::value, std::move(w))
                .then(
                    [=](const outcomes&) mutable {
                      self->state.waiting.put(id, model::run_status::queued);
                      self->request(self->state.queue, caf::infinite, confirm_atom::value, id)
                          .then(
                              [=](uint64_t position) mutable {
                                auto out = q.record;
                                out.queue_position = position;
                                reply(std::move(out));
                              },
                              [=](caf::error& err) mutable { reply(err); });
                    },
                    [=](caf::error& err) mutable {
                      self->send(self->state.queue, abandon_atom::value, id);
                      reply(err);
                    });
          },
          [=](caf::error& err) mutable { reply(err); });
}

// Reads `id`, checks that it may be queued and queues it.
template <class Reply>
void queue_stored(orchestrator_pointer self, const std::string& id, bool resume, Reply reply) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](model::run_record& r) mutable {
            if (auto ok = model::check_queueable(r, resume); !ok)
              return reply(to_error(ok.error()));
            queue_waiting(self, std::move(r), resume, reply);
          },
          [=](caf::error& err) mutable { reply(err); });
}

}  // namespace

caf::result<model::run_record> start(orchestrator_pointer self, const std::string& id,
                                     bool resume) {
  auto promise = self->make_response_promise<model::run_record>();
  serially(self, id, [=] {
    auto reply = replier(self, id, promise);
    auto& st = self->state;
    if (st.runs.count(id) || st.waiting.status_of(id) == model::run_status::queued)
      return reply(to_error(model::engine_running(resume)));
    if (!resume) return queue_stored(self, id, false, reply);
    // A checkpoint must exist; then a submitted or finished run is queued
    // again (as in Fabro).
    self->request(st.reader, caf::infinite, checkpoint_atom::value, id)
        .then(
            [=](std::string& ckpt) mutable {
              if (ckpt.empty()) return reply(to_error(model::no_checkpoint()));
              queue_stored(self, id, true, reply);
            },
            [=](caf::error& err) mutable { reply(err); });
  });
  return promise;
}

namespace {

// The record (status queued, its queue_seq), run.created, run.submitted
// and run.queued of a new run, committed in one write.
void create_queued(orchestrator_pointer self, std::shared_ptr<model::new_run> run,
                   std::function<void(caf::expected<create_result>)> reply) {
  auto id = run->record.id;
  self->request(self->state.queue, caf::infinite, reserve_atom::value, id)
      .then(
          [=](uint64_t seq) {
            auto q = model::queue_run(std::move(run->record), seq, false);
            std::vector<model::run_event> stamped{std::move(q.event)};
            stamp_events(stamped);
            if (run->envelopes.size() == run->events.size())
              run->envelopes.push_back(model::envelope_json(stamped[0]));
            run->events.push_back(std::move(stamped[0]));
            run->record = std::move(q.record);
            auto record = run->record;
            self->request(self->state.journal, caf::infinite, commit_atom::value,
                          writes{create_write(*run)})
                .then(
                    [=](outcomes& out) {
                      auto& o = out.at(0);
                      if (o.status == store::write_status::applied) {
                        self->state.waiting.put(id, model::run_status::queued);
                        self->request(self->state.queue, caf::infinite, confirm_atom::value, id)
                            .then(
                                [=](uint64_t position) {
                                  auto r = record;
                                  r.queue_position = position;
                                  reply(create_result{std::move(r), true});
                                },
                                [=](caf::error& err) { reply(err); });
                        return;
                      }
                      self->send(self->state.queue, abandon_atom::value, id);
                      answer_unapplied(self, o, id, reply);  // not queued again
                    },
                    [=](caf::error& err) {
                      self->send(self->state.queue, abandon_atom::value, id);
                      reply(err);
                    });
          },
          [=](caf::error& err) { reply(err); });
}

}  // namespace

caf::result<create_result> create_and_start(orchestrator_pointer self, model::new_run& run) {
  auto promise = self->make_response_promise<create_result>();
  auto shared = std::make_shared<model::new_run>(std::move(run));
  auto id = shared->record.id;
  serially(self, id, [=] {
    auto reply = [=](caf::expected<create_result> out) mutable {
      if (out) promise.deliver(std::move(*out));
      else promise.deliver(out.error());
      next(self, id);
    };
    auto& st = self->state;
    // Known already: the store decides existing or conflict (the insert
    // cannot apply); it is not queued again.
    if (st.runs.count(id) || st.waiting.status_of(id)) return commit_create(self, *shared, reply);
    create_queued(self, shared, reply);
  });
  return promise;
}

namespace {

constexpr auto kLaunchRetry = std::chrono::milliseconds(500);

// Starts the admitted run `id`, which has its actor and holds a slot: from
// its checkpoint when it has one (only a resumed run has). While the store
// fails it keeps the slot and tries again, so the queue's order is kept.
void start_admitted(orchestrator_pointer self, const std::string& id) {
  auto release = [=] { self->send(self->state.queue, release_atom::value, id); };
  auto retry_or_release = [=](const caf::error& err) {
    if (to_problem(err).code != model::errc::storage_failure) return release();
    self->delayed_send(self, kLaunchRetry, launch_atom::value, id);
  };
  self->request(self->state.reader, caf::infinite, definition_atom::value, id)
      .then(
          [=](std::string& def) {
            self->request(self->state.reader, caf::infinite, checkpoint_atom::value, id)
                .then(
                    [=](std::string& ckpt) {
                      auto live = self->state.runs.find(id);
                      if (live == self->state.runs.end()) return release();  // ended meanwhile
                      self->request(live->second, caf::infinite, start_atom::value, def, ckpt)
                          .then([](const model::run_record&) {}, retry_or_release);
                    },
                    retry_or_release);
          },
          retry_or_release);
}

}  // namespace

void launch(orchestrator_pointer self, const std::string& id) {
  serially(self, id, [=] {
    auto& st = self->state;
    auto release = [=] { self->send(self->state.queue, release_atom::value, id); };
    if (st.runs.count(id)) {
      next(self, id);
      return start_admitted(self, id);
    }
    if (st.waiting.status_of(id) != model::run_status::queued) {  // ended meanwhile
      release();
      return next(self, id);
    }
    place(
        self, id,
        [=] {
          next(self, id);
          start_admitted(self, id);
        },
        [=](caf::error err) {
          if (to_problem(err).code == model::errc::storage_failure)
            self->delayed_send(self, kLaunchRetry, launch_atom::value, id);
          else
            release();
          next(self, id);
        });
  });
}

namespace {

// Control of a run with an actor: its answer, with its position.
void control_live(orchestrator_pointer self, model::control_action action, const std::string& id,
                  const std::string& login, record_promise promise,
                  std::function<void()> refuse_from_store) {
  auto live = self->state.runs.find(id);
  if (live == self->state.runs.end()) return refuse_from_store();
  self->request(live->second, caf::infinite, control_atom::value, action, login)
      .then([=](model::run_record& r) mutable { deliver_with_position(self, std::move(r), promise); },
            [=](caf::error& err) mutable {
              if (err.category() == caf::atom("fabro")) promise.deliver(err);
              else refuse_from_store();  // the run ended meanwhile
            });
}

}  // namespace

caf::result<model::run_record> control(orchestrator_pointer self, model::control_action action,
                                       const std::string& id, const std::string& login) {
  auto promise = self->make_response_promise<model::run_record>();
  // Not live and not waiting: the stored (terminal) record decides the
  // 409, or 404.
  auto refuse_from_store = [=]() mutable {
    self->request(self->state.reader, caf::infinite, get_atom::value, id)
        .then(
            [=](model::run_record& r) mutable {
              auto d = model::decide_control(r, action);
              promise.deliver(d ? to_error(model::errc::conflict, "Run is not active.")
                                : to_error(d.error()));
            },
            [=](caf::error& err) mutable { promise.deliver(err); });
  };
  if (self->state.runs.count(id)) {
    control_live(self, action, id, login, promise, refuse_from_store);
    return promise;
  }
  serially(self, id, [=]() mutable {
    auto& st = self->state;
    auto status = st.waiting.status_of(id);
    if (st.runs.count(id) || !status) {
      control_live(self, action, id, login, promise, refuse_from_store);
      return next(self, id);
    }
    model::run_record probe;
    probe.status = *status;
    auto d = model::decide_control(probe, action);
    if (!d) {
      promise.deliver(to_error(d.error()));
      return next(self, id);
    }
    // A cancel, which ends a waiting run at once: its actor does it as it
    // does for any run (the request and the end in one commit, then out of
    // the queue).
    wake(
        self, id,
        [=]() mutable {
          next(self, id);
          control_live(self, action, id, login, promise, refuse_from_store);
        },
        [=](caf::error err) mutable {
          promise.deliver(err);
          next(self, id);
        });
  });
  return promise;
}

namespace {

void erase_stored(orchestrator_pointer self, const std::string& id,
                  std::function<void(caf::expected<bool>)> reply) {
  store::run_write w;
  w.kind = store::write_kind::remove;
  w.record.id = id;
  self->request(self->state.journal, caf::infinite, commit_atom::value, writes{w})
      .then(
          [=](const outcomes&) {
            self->state.waiting.erase(id);
            reply(true);
          },
          [=](caf::error& err) { reply(err); });
}

// A non-terminal run with an actor: cancelled, then removed once its actor
// has ended (run_ended).
void remove_live(orchestrator_pointer self, const std::string& id, bool force,
                 caf::typed_response_promise<bool> promise) {
  if (!force) {
    promise.deliver(
        to_error(model::errc::conflict, "Run is active; cancel it first or use force=true."));
    return;
  }
  self->state.deleting[id].push_back(promise);
  self->request(self->state.runs.at(id), caf::infinite, control_atom::value,
                model::control_action::cancel, std::string("system"))
      .then([](const model::run_record&) {}, [](caf::error&) {});
}

}  // namespace

caf::result<bool> remove(orchestrator_pointer self, const std::string& id, bool force) {
  auto promise = self->make_response_promise<bool>();
  if (self->state.runs.count(id)) {
    remove_live(self, id, force, promise);
    return promise;
  }
  serially(self, id, [=]() mutable {
    auto reply = [=](caf::expected<bool> out) mutable {
      if (out) promise.deliver(*out);
      else promise.deliver(out.error());
      next(self, id);
    };
    auto& st = self->state;
    if (st.runs.count(id)) {
      remove_live(self, id, force, promise);
      return next(self, id);
    }
    auto status = st.waiting.status_of(id);
    if (status == model::run_status::submitted)  // never started: nothing to stop
      return erase_stored(self, id, reply);
    if (status == model::run_status::queued) {
      if (!force) {
        remove_live(self, id, false, promise);
        return next(self, id);
      }
      wake(
          self, id,
          [=]() mutable {
            remove_live(self, id, true, promise);
            next(self, id);
          },
          [=](caf::error err) mutable { reply(err); });
      return;
    }
    self->request(st.reader, caf::infinite, get_atom::value, id)
        .then([=](const model::run_record&) mutable { erase_stored(self, id, reply); },
              [=](caf::error& err) mutable {
                if (to_problem(err).code == model::errc::run_not_found) reply(false);
                else reply(err);
              });
  });
  return promise;
}

void run_ended(orchestrator_pointer self, const std::string& id) {
  auto& st = self->state;
  self->send(st.queue, release_atom::value, id);  // idempotent
  auto it = st.deleting.find(id);
  if (it == st.deleting.end()) return;
  auto promises = std::move(it->second);
  st.deleting.erase(it);
  store::run_write w;
  w.kind = store::write_kind::remove;
  w.record.id = id;
  self->request(st.journal, caf::infinite, commit_atom::value, writes{w})
      .then(
          [=](const outcomes&) mutable {
            for (auto& p : promises) p.deliver(true);
          },
          [=](caf::error& err) mutable {
            for (auto& p : promises) p.deliver(err);
          });
}

}  // namespace fabro::actors
