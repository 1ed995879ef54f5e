#include "model/run_queueing.hpp"

#include <catch2/catch.hpp>

using namespace fabro::model;

namespace {
run_record in(run_status s) {
  run_record r;
  r.id = "01JRZ3NDEKTSV4RRFFQ69G5FAV";
  r.status = s;
  r.last_seq = 2;
  return r;
}
}  // namespace

TEST_CASE("only a submitted run starts, and a resume also takes a finished one", "[model]") {
  CHECK(check_queueable(in(run_status::submitted), false));
  CHECK(check_queueable(in(run_status::submitted), true));
  CHECK(check_queueable(in(run_status::failed), true));
  CHECK(check_queueable(in(run_status::completed), true));
  auto finished = check_queueable(in(run_status::completed), false);
  REQUIRE_FALSE(finished);
  CHECK(finished.error().code == errc::conflict);
  CHECK(finished.error().detail == "cannot start run: status is Completed, expected submitted");
  for (auto s : {run_status::queued, run_status::starting, run_status::running,
                 run_status::paused}) {
    auto start = check_queueable(in(s), false);
    REQUIRE_FALSE(start);
    CHECK(start.error().detail ==
          "an engine process is still running for this run \u2014 cannot start");
    auto resume = check_queueable(in(s), true);
    REQUIRE_FALSE(resume);
    CHECK(resume.error().detail ==
          "an engine process is still running for this run \u2014 cannot resume");
  }
  CHECK(no_checkpoint().detail == "no checkpoint to resume from");
}

TEST_CASE("queueing sets the status, the sequence and the next event", "[model]") {
  auto q = queue_run(in(run_status::submitted), 41, false);
  CHECK(q.record.status == run_status::queued);
  CHECK(q.record.queue_seq == 41);
  CHECK(q.record.last_seq == 3);
  CHECK(q.event.seq == 3);
  CHECK(q.event.run_id == q.record.id);
  CHECK(q.event.event == "run.queued");
  CHECK(q.event.properties_json == "{}");
}

TEST_CASE("a resumed finished run loses its error and duration", "[model]") {
  auto failed = in(run_status::failed);
  failed.reason = status_reason::terminated;
  failed.error_message = "server restarted";
  failed.duration_ms = 1200;
  auto q = queue_run(failed, 7, true);
  CHECK(q.record.status == run_status::queued);
  CHECK(q.record.reason == status_reason::none);
  CHECK(q.record.error_message.empty());
  CHECK(q.record.duration_ms == -1);
  CHECK(q.event.properties_json == "{\"resume\":true}");
}
