// The orchestrator's append behavior (POST /api/v1/runs/{id}/events): a
// worker's event gets the run's next seq from whoever owns the log's tail.
// While the run executes that is its actor (its commit gate orders the
// event among its own); otherwise the stored log is, and the read of its
// last seq and the commit go through serially(), as every other change of
// a run without an actor does, so no two appends (nor a wake) interleave.
#include "actors/errors.hpp"
#include "actors/orchestrator_state.hpp"

namespace fabro::actors {
namespace {

using seq_promise = caf::typed_response_promise<uint64_t>;

void append_stored(orchestrator_pointer self, const std::string& id, model::run_event e,
                   seq_promise promise);

void append_live(orchestrator_pointer self, const std::string& id, model::run_event e,
                 seq_promise promise) {
  auto live = self->state.runs.find(id);
  if (live == self->state.runs.end()) return append_stored(self, id, std::move(e), promise);
  self->request(live->second, caf::infinite, append_atom::value, e)
      .then([=](const model::run_record& r) mutable { promise.deliver(r.last_seq); },
            [=](caf::error& err) mutable {
              if (err.category() == caf::atom("fabro")) promise.deliver(err);
              else append_stored(self, id, e, promise);  // the run ended meanwhile
            });
}

void append_stored(orchestrator_pointer self, const std::string& id, model::run_event e,
                   seq_promise promise) {
  serially(self, id, [=]() mutable {
    if (self->state.runs.count(id)) {  // woken meanwhile: its actor owns the tail
      next(self, id);
      return append_live(self, id, std::move(e), promise);
    }
    auto fail = [=](caf::error& err) mutable {
      promise.deliver(err);
      next(self, id);
    };
    self->request(self->state.reader, caf::infinite, get_atom::value, id)
        .then(
            [=](model::run_record& r) mutable {
              e.run_id = id;
              e.seq = r.last_seq + 1;
              uint64_t seq = e.seq;
              store::run_write w;
              w.kind = store::write_kind::append;
              w.record = std::move(r);
              w.events.push_back(std::move(e));
              self->request(self->state.journal, caf::infinite, commit_atom::value,
                            std::vector<store::run_write>{std::move(w)})
                  .then(
                      [=](const std::vector<store::write_outcome>&) mutable {
                        promise.deliver(seq);
                        next(self, id);
                      },
                      fail);
            },
            fail);
  });
}

}  // namespace

caf::result<uint64_t> append_event(orchestrator_pointer self, const std::string& id,
                                   model::run_event event) {
  auto promise = self->make_response_promise<uint64_t>();
  append_live(self, id, std::move(event), promise);
  return promise;
}

}  // namespace fabro::actors
