#include "actors/orchestrator.hpp"

#include <algorithm>
#include <functional>

#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/errors.hpp"
#include "actors/id_source.hpp"
#include "actors/journal.hpp"
#include "actors/run.hpp"
#include "actors/run_setup.hpp"
#include "actors/orchestrator_state.hpp"
#include "actors/store_reader.hpp"
#include "model/run_recovery.hpp"

namespace fabro::actors {

void serially(orchestrator_pointer self, const std::string& id, std::function<void()> op) {
  auto [it, idle] = self->state.busy.try_emplace(id);
  if (!idle) {
    it->second.push_back(std::move(op));
    return;
  }
  op();
}

void next(orchestrator_pointer self, const std::string& id) {
  auto it = self->state.busy.find(id);
  if (it == self->state.busy.end()) return;
  if (it->second.empty()) {
    self->state.busy.erase(it);
    return;
  }
  auto op = std::move(it->second.front());
  it->second.pop_front();
  op();
}

// Not linked: a run that ends (or fails) must not take the orchestrator
// down; the monitor tells us.
void adopt_run(orchestrator_pointer self, model::run_record record) {
  self->state.waiting.erase(record.id);
  if (self->state.runs.count(record.id)) return;
  auto id = record.id;
  auto run = spawn_run(self->system(), std::move(record), self->state.journal,
                       self->state.run_opts);
  self->monitor(run);
  self->state.run_ids.emplace(run.address(), id);
  self->state.runs.emplace(std::move(id), std::move(run));
}

void wake(orchestrator_pointer self, const std::string& id, std::function<void()> then,
          std::function<void(caf::error)> failed) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](model::run_record& r) {
            adopt_run(self, std::move(r));
            then();
          },
          [=](caf::error& err) { failed(std::move(err)); });
}

void answer_existing(orchestrator_pointer self, model::run_record stored,
                     std::function<void(create_result)> answer) {
  auto live = self->state.runs.find(stored.id);
  if (live == self->state.runs.end())
    return with_position(self, std::move(stored),
                         [=](model::run_record r) { answer(create_result{std::move(r), false}); });
  self->request(live->second, caf::infinite, get_atom::value)
      .then([=](model::run_record& current) { answer(create_result{std::move(current), false}); },
            [=](caf::error&) { answer(create_result{stored, false}); });
}

void answer_unapplied(orchestrator_pointer self, store::write_outcome& o, const std::string& id,
                      std::function<void(caf::expected<create_result>)> reply) {
  if (o.status == store::write_status::existing)
    answer_existing(self, std::move(o.existing), [reply](create_result r) { reply(std::move(r)); });
  else
    reply(to_error(conflicting_run(id)));
}

void commit_create(orchestrator_pointer self, model::new_run& run,
                   std::function<void(caf::expected<create_result>)> reply) {
  auto w = create_write(run);
  auto record = std::move(run.record);
  self->request(self->state.journal, caf::infinite, commit_atom::value,
                std::vector<store::run_write>{std::move(w)})
      .then(
          [=](std::vector<store::write_outcome>& out) {
            auto& o = out.at(0);
            if (o.status != store::write_status::applied)
              return answer_unapplied(self, o, record.id, reply);
            self->state.waiting.put(record.id, model::run_status::submitted);
            reply(create_result{record, true});
          },
          [=](caf::error& err) { reply(err); });
}

caf::result<create_result> create(orchestrator_pointer self, model::new_run& run) {
  auto promise = self->make_response_promise<create_result>();
  commit_create(self, run, [promise](caf::expected<create_result> out) mutable {
    if (out) promise.deliver(std::move(*out));
    else promise.deliver(out.error());
  });
  return promise;
}

namespace {

// The journal's fast path synced a batch: its new runs wait (submitted),
// and submissions that found an identical run hear its current record.
void on_created(orchestrator_pointer self, created_notice& notice) {
  for (auto& r : notice.created) self->state.waiting.put(r.id, model::run_status::submitted);
  for (auto& e : notice.existing) {
    auto waiter = std::move(e.waiter);
    answer_existing(self, std::move(e.record),
                    [waiter](create_result r) { waiter->done(std::move(r)); });
  }
}

}  // namespace

void with_position(orchestrator_pointer self, model::run_record r,
                   std::function<void(model::run_record)> then) {
  if (r.status != model::run_status::queued) {
    r.queue_position = 0;
    return then(std::move(r));
  }
  auto id = r.id;
  self->request(self->state.queue, caf::infinite, position_atom::value,
                std::vector<std::string>{id})
      .then(
          [=](std::vector<uint64_t>& pos) mutable {
            r.queue_position = pos.empty() ? 0 : pos[0];
            then(std::move(r));
          },
          [=](caf::error&) mutable { then(std::move(r)); });
}

void deliver_with_position(orchestrator_pointer self, model::run_record r,
                           record_promise promise) {
  with_position(self, std::move(r),
                [promise](model::run_record out) mutable { promise.deliver(std::move(out)); });
}

namespace {

// A page of runs, as the reader answers `xs`, with the positions of its
// queued runs filled in.
template <class... Ts>
caf::result<run_page> list(orchestrator_pointer self, Ts... xs) {
  auto promise = self->make_response_promise<run_page>();
  self->request(self->state.reader, caf::infinite, list_atom::value, std::move(xs)...)
      .then(
          [=](run_page& page) mutable {
            std::vector<std::string> queued;
            for (const auto& r : page.runs)
              if (r.status == model::run_status::queued) queued.push_back(r.id);
            if (queued.empty()) {
              promise.deliver(std::move(page));
              return;
            }
            self->request(self->state.queue, caf::infinite, position_atom::value, queued)
                .then(
                    [=](std::vector<uint64_t>& pos) mutable {
                      size_t i = 0;
                      for (auto& r : page.runs)
                        if (r.status == model::run_status::queued && i < pos.size())
                          r.queue_position = pos[i++];
                      promise.deliver(std::move(page));
                    },
                    [=](caf::error& err) mutable { promise.deliver(err); });
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
  return promise;
}

// A run with an actor answers from it; any other (waiting, finished, or
// just ended: its actor gone, the down message not yet here) from the
// store, a queued one with its position.
caf::result<model::run_record> get(orchestrator_pointer self, const std::string& id) {
  auto live = self->state.runs.find(id);
  auto promise = self->make_response_promise<model::run_record>();
  if (live == self->state.runs.end()) {
    self->request(self->state.reader, caf::infinite, get_atom::value, id)
        .then([=](model::run_record& r) mutable { deliver_with_position(self, std::move(r), promise); },
              [=](caf::error& err) mutable { promise.deliver(err); });
    return promise;
  }
  self->request(live->second, caf::infinite, get_atom::value)
      .then([=](model::run_record& r) mutable { deliver_with_position(self, std::move(r), promise); },
            [=](caf::error&) mutable {
              self->request(self->state.reader, caf::infinite, get_atom::value, id)
                  .then([=](model::run_record& r) mutable { promise.deliver(std::move(r)); },
                        [=](caf::error& err) mutable { promise.deliver(err); });
            });
  return promise;
}

}  // namespace

// Why a run without a live actor cannot take a message: unknown or over.
void explain_not_live(orchestrator_pointer self, const std::string& id, std::string what,
                      caf::typed_response_promise<model::run_record> promise) {
  self->request(self->state.reader, caf::infinite, get_atom::value, id)
      .then(
          [=](const model::run_record&) mutable {
            promise.deliver(to_error(model::errc::conflict, what));
          },
          [=](caf::error& err) mutable { promise.deliver(err); });
}

namespace {

// Forwards to a live run's actor and answers `promise` with its reply; if
// the run ended meanwhile (its down message not yet here), explains from the
// store instead.
template <class... Ts>
void forward(orchestrator_pointer self, const std::string& id, std::string what,
             caf::typed_response_promise<model::run_record> promise, Ts... xs) {
  auto live = self->state.runs.find(id);
  if (live == self->state.runs.end()) return explain_not_live(self, id, what, promise);
  self->request(live->second, caf::infinite, xs...)
      .then([=](model::run_record& r) mutable { promise.deliver(std::move(r)); },
            [=](caf::error& err) mutable {
              if (err.category() == caf::atom("fabro")) promise.deliver(err);
              else explain_not_live(self, id, what, promise);
            });
}

caf::result<model::run_record> answer(orchestrator_pointer self, const std::string& id,
                                      const std::string& qid, const model::human_answer& given) {
  auto promise = self->make_response_promise<model::run_record>();
  forward(self, id, kQuestionGone, promise, answer_atom::value, qid, given);
  return promise;
}

// From the run's actor while it has one; a run without one asks nothing.
caf::result<std::string> questions(orchestrator_pointer self, const std::string& id) {
  auto promise = self->make_response_promise<std::string>();
  auto from_store = [=]() mutable {
    self->request(self->state.reader, caf::infinite, get_atom::value, id)
        .then([=](const model::run_record&) mutable { promise.deliver(std::string("[]")); },
              [=](caf::error& err) mutable { promise.deliver(err); });
  };
  auto live = self->state.runs.find(id);
  if (live == self->state.runs.end()) {
    from_store();
    return promise;
  }
  self->request(live->second, caf::infinite, questions_atom::value)
      .then([=](std::string& json) mutable { promise.deliver(std::move(json)); },
            [=](caf::error&) mutable { from_store(); });
  return promise;
}

// Restart: the waiting runs go back into `waiting`, the queued ones into
// the queue in their persisted start order, before anything else is
// served; only then does admission start.
void readopt(orchestrator_pointer self, std::vector<store::waiting_row> rows) {
  auto& st = self->state;
  st.waiting.reserve(rows.size());
  std::vector<const store::waiting_row*> queued;
  uint64_t last_seq = 0;
  for (const auto& r : rows) {
    st.waiting.put(r.id, r.status);
    last_seq = std::max(last_seq, r.queue_seq);
    if (r.status == model::run_status::queued) queued.push_back(&r);
  }
  std::sort(queued.begin(), queued.end(), [](const auto* a, const auto* b) {
    return a->queue_seq != b->queue_seq ? a->queue_seq < b->queue_seq : a->id < b->id;
  });
  std::vector<std::string> order;
  order.reserve(queued.size());
  for (const auto* r : queued) order.push_back(r->id);
  self->send(st.queue, restore_atom::value, std::move(order), last_seq);
  self->send(st.queue, caf::actor_cast<launcher_actor>(self));
}

orchestrator_actor::behavior_type orchestrator_impl(orchestrator_pointer self,
                                                    journal_actor journal,
                                                    store_reader_actor reader,
                                                    std::vector<store::waiting_row> waiting,
                                                    run_options run_opts, queue_config qcfg) {
  auto& st = self->state;
  st.journal = journal;
  st.reader = reader;
  st.queue = spawn_queue_manager(self->system(), qcfg);
  st.run_opts = run_opts;
  st.run_opts.queue = st.queue;
  self->link_to(journal);
  self->link_to(reader);
  self->link_to(st.queue);
  st.local_slots = qcfg.max_concurrent_runs;
  self->set_down_handler([=](caf::down_msg& dm) {
    if (node_down(self, dm)) return;
    auto it = self->state.run_ids.find(dm.source);
    if (it == self->state.run_ids.end()) return;
    auto id = std::move(it->second);
    self->state.run_ids.erase(it);
    self->state.runs.erase(id);
    run_ended(self, id);
  });
  // Run actors are monitored, not linked (a run that fails must not take
  // the orchestrator down), so they are told when it goes: left alive they
  // would hold the journal and keep CAF's shutdown waiting forever.
  self->set_exit_handler([=](caf::exit_msg& msg) {
    for (auto& [id, run] : self->state.runs) self->send_exit(run, msg.reason);
    self->quit(msg.reason);
  });
  readopt(self, std::move(waiting));
  // Before anyone can have the journal's handle (intake_atom below).
  self->send(journal, caf::actor_cast<created_listener_actor>(self));
  return {
      [=](create_atom, model::new_run& run) { return create(self, run); },
      [=](create_atom, model::new_run& run, bool start_now) -> caf::result<create_result> {
        if (start_now) return create_and_start(self, run);
        return create(self, run);
      },
      [=](get_atom, const std::string& id) { return get(self, id); },
      [=](start_atom, const std::string& id) { return start(self, id, false); },
      [=](start_atom, const std::string& id, bool resume) { return start(self, id, resume); },
      [=](control_atom, model::control_action action, const std::string& id,
          const std::string& login) { return control(self, action, id, login); },
      [=](delete_atom, const std::string& id, bool force) { return remove(self, id, force); },
      [=](launch_atom, const std::string& id) { launch(self, id); },
      [=](join_atom, executor_actor& executor, std::string& node, uint64_t slots) {
        join_executor(self, std::move(executor), std::move(node), slots);
      },
      [=](stats_atom) {
        auto& st = self->state;
        return orchestrator_stats{st.runs.size(), st.waiting.submitted(), st.waiting.queued()};
      },
      [=](answer_atom, const std::string& id, const std::string& qid,
          const model::human_answer& given) { return answer(self, id, qid, given); },
      [=](questions_atom, const std::string& id) { return questions(self, id); },
      [=](list_atom, uint64_t offset, uint64_t limit) { return list(self, offset, limit); },
      [=](list_atom, int64_t created_ms, const std::string& id, uint64_t limit) {
        return list(self, created_ms, id, limit);
      },
      [=](intake_atom) { return self->state.journal; },
      [=](created_atom, created_notice& notice) { on_created(self, notice); },
      [=](events_atom, const std::string& id, uint64_t since,
          uint64_t limit) -> caf::result<event_page> {
        return self->delegate(self->state.reader, events_atom::value, id, since, limit);
      },
      [=](checkpoint_atom, const std::string& id) -> caf::result<std::string> {
        // The record first: an unknown run is 404, not "no checkpoint".
        auto promise = self->make_response_promise<std::string>();
        self->request(self->state.reader, caf::infinite, get_atom::value, id)
            .then(
                [=](const model::run_record&) mutable {
                  promise.delegate(self->state.reader, checkpoint_atom::value, id);
                },
                [=](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
      [=](definition_atom, const std::string& id) {
        return self->delegate(self->state.reader, definition_atom::value, id);
      },
      [=](usage_atom) { return self->delegate(self->state.reader, usage_atom::value); },
      [=](usage_atom, int64_t created_ms, const std::string& id, uint64_t limit) {
        return self->delegate(self->state.reader, usage_atom::value, created_ms, id, limit);
      },
      [=](append_atom, const std::string& id, model::run_event& e) {
        return append_event(self, id, std::move(e));
      },
      [=](stages_atom, const std::string& id, uint64_t offset, uint64_t limit) {
        return self->delegate(self->state.reader, stages_atom::value, id, offset, limit);
      },
      [=](billing_atom, const std::string& id) {
        return self->delegate(self->state.reader, billing_atom::value, id);
      },
      [=](turns_atom, const std::string& id, const std::string& stage) {
        return self->delegate(self->state.reader, turns_atom::value, id, stage);
      },
      [=](state_atom, const std::string& id) {
        return self->delegate(self->state.reader, state_atom::value, id);
      },
      [=](artifacts_atom, const std::string& id) {
        return self->delegate(self->state.reader, artifacts_atom::value, id);
      },
      [=](artifact_atom, const std::string& id, const std::string& name) {
        return self->delegate(self->state.reader, artifact_atom::value, id, name);
      },
      [=](artifact_atom, const std::string& id, const std::string& name,
          std::string& bytes) -> caf::result<bool> {
        auto promise = self->make_response_promise<bool>();
        self->request(self->state.reader, caf::infinite, get_atom::value, id)
            .then(
                [=, bytes = std::move(bytes)](model::run_record& run) mutable {
                  store::run_write w{store::write_kind::artifact, std::move(run), "", "", {},
                                     name, std::move(bytes)};
                  self->request(self->state.journal, caf::infinite, commit_atom::value,
                                std::vector<store::run_write>{std::move(w)})
                      .then([=](const std::vector<store::write_outcome>&) mutable {
                              promise.deliver(true);
                            },
                            [=](caf::error& err) mutable { promise.deliver(err); });
                },
                [=](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
      [=](board_atom, uint64_t offset, uint64_t limit) {
        return self->delegate(self->state.reader, board_atom::value, offset, limit);
      },
      [=](flush_atom) -> caf::result<bool> {
        // The journal answers in order, so an empty commit returns after
        // every earlier one.
        auto promise = self->make_response_promise<bool>();
        self->request(self->state.journal, caf::infinite, commit_atom::value,
                      std::vector<store::run_write>{})
            .then([=](const std::vector<store::write_outcome>&) mutable { promise.deliver(true); },
                  [=](caf::error& err) mutable { promise.deliver(err); });
        return promise;
      },
  };
}

// Restart recovery (DESIGN §5), before the orchestrator serves anything:
// executing runs end (durably); waiting runs are returned to wait again.
model::result<std::vector<store::waiting_row>> recover(caf::actor_system& sys,
                                                       journal_actor journal,
                                                       store_reader_actor reader) {
  caf::scoped_actor self{sys};
  std::optional<model::problem> failure;
  store::unfinished_runs unfinished;
  self->request(reader, caf::infinite, unfinished_atom::value)
      .receive([&](store::unfinished_runs& runs) { unfinished = std::move(runs); },
               [&](caf::error& err) { failure = to_problem(err); });
  if (failure) return *failure;
  std::vector<store::run_write> writes;
  for (auto& r : unfinished.executing) {
    auto step = model::recover_after_restart(r, now_ms());
    if (!step.event) continue;
    std::vector<model::run_event> events{*step.event};
    stamp_events(events);
    writes.push_back({store::write_kind::update, step.record, "", "", {}, "", ""});
    writes.push_back({store::write_kind::append, step.record, "", "", std::move(events), "", ""});
  }
  if (!writes.empty())
    self->request(journal, caf::infinite, commit_atom::value, writes)
        .receive([](const std::vector<store::write_outcome>&) {},
                 [&](caf::error& err) { failure = to_problem(err); });
  if (failure) return *failure;
  return std::move(unfinished.waiting);
}

}  // namespace

model::result<orchestrator_actor> spawn_orchestrator(caf::actor_system& sys,
                                                     const orchestrator_config& cfg) {
  auto journal = spawn_journal(sys, cfg.make_store, cfg.event_listener, cfg.on_storage);
  if (!journal) return journal.error();
  auto reader = spawn_store_reader(sys, cfg.make_store);
  if (!reader) {
    caf::anon_send_exit(*journal, caf::exit_reason::user_shutdown);
    return reader.error();
  }
  auto waiting = recover(sys, *journal, *reader);
  if (!waiting) {
    caf::anon_send_exit(*journal, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(*reader, caf::exit_reason::user_shutdown);
    return waiting.error();
  }
  auto run_opts = make_run_options(sys, cfg);
  return sys.spawn(orchestrator_impl, *journal, *reader, std::move(*waiting), run_opts,
                   cfg.queue);
}

}  // namespace fabro::actors
