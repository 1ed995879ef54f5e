// GET /health (liveness and version, no authentication), and Fabro's
// GET /api/v1/system/info (SystemInfoResponse) and GET /api/v1/system/df
// (DiskUsageResponse; with ?verbose=true a row per run, streamed).
#include <sys/utsname.h>

#include <chrono>

#include "http/array_stream.hpp"
#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/json_writer.hpp"
#include "model/run_status.hpp"
#include "model/timestamp.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

const auto kStarted = std::chrono::steady_clock::now();  // this process's start, near enough

std::string machine_arch() {
  utsname u{};
  return ::uname(&u) == 0 ? u.machine : "unknown";
}

// Runs queued or executing: what Fabro counts as active.
uint64_t active_runs(const actors::orchestrator_stats& s) { return s.run_actors + s.queued; }

// Asks the store's usage, then the orchestrator's counts, and calls
// answer(reply, usage, counts).
template <class Answer>
void with_usage_and_counts(const route_context& ctx, reply_ptr rep, Answer answer) {
  auto sys = &ctx.sys;
  auto orch = ctx.orch;
  ask<store::store_usage>(
      ctx.sys, ctx.orch, rep,
      [sys, orch, rep, answer](reply&, store::store_usage& usage) {
        ask<actors::orchestrator_stats>(
            *sys, orch, rep,
            [usage, answer](reply& r, actors::orchestrator_stats& stats) {
              answer(r, usage, stats);
            },
            actors::stats_atom::value);
      },
      actors::usage_atom::value);
}

void system_info(const route_context& ctx, const Request&, reply_ptr rep) {
  auto cfg = ctx.cfg;
  with_usage_and_counts(ctx, rep, [cfg](reply& r, const store::store_usage& u,
                                        const actors::orchestrator_stats& s) {
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - kStarted).count();
    model::json_writer w;
    w.begin_object()
        .field("version", cfg.version)
        .field_null("git_sha")
        .field_null("build_date")
        .field("os", "linux")
        .field("arch", machine_arch())
        .field("storage_engine", u.engine)
        .field("storage_dir", cfg.storage_dir)
        .field("uptime_secs", static_cast<int64_t>(uptime))
        .key("runs").begin_object()
        .field("total", u.runs)
        .field("active", active_runs(s))
        .end_object()
        .field("sandbox_provider", cfg.sandbox_provider);
    if (auto cluster = cfg.cluster_view ? cfg.cluster_view() : std::string(); !cluster.empty())
      w.key("cluster").raw(cluster);
    w.end_object();
    r.send_json(Code::Ok, w.take());
  });
}

// The "summary" array and totals of a DiskUsageResponse: one row, "runs"
// (every stored run, the active ones, the store's bytes); `reclaimable`
// is what the finished runs keep, or null when not counted.
void write_summary(model::json_writer& w, const store::store_usage& u,
                   const actors::orchestrator_stats& s, const uint64_t* reclaimable) {
  w.key("summary").begin_array().begin_object()
      .field("type", "runs")
      .field("count", u.runs)
      .field("active", active_runs(s))
      .field("size_bytes", u.bytes);
  if (reclaimable) w.field("reclaimable_bytes", *reclaimable);
  else w.field_null("reclaimable_bytes");
  w.end_object().end_array()
      .field("total_size_bytes", u.bytes)
      .field("total_reclaimable_bytes", reclaimable ? *reclaimable : uint64_t{0});
}

// A DiskUsageRunRow.
std::string run_row(const model::run_record& run, uint64_t bytes) {
  model::json_writer w;
  w.begin_object()
      .field("run_id", run.id)
      .field("workflow_name", run.workflow_name)
      .field("status", model::to_string(run.status))
      .field("start_time", model::format_rfc3339_ms(run.start_time_ms >= 0 ? run.start_time_ms
                                                                          : run.created_at_ms))
      .field("size_bytes", bytes)
      .field("reclaimable", model::is_terminal(run.status))
      .end_object();
  return w.take();
}

// Without `verbose`: the summary, "runs" null and reclaimable bytes not
// counted (null). With it: a row per stored run, newest first, streamed
// (http/array_stream.hpp: a million runs in flat memory), and the
// finished runs' bytes as reclaimable.
void system_df(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto verbose = query_flag(req, "verbose");
  if (!verbose) return rep->send_problem(verbose.error());
  const route_context* c = &ctx;  // the API's, alive while it serves
  with_usage_and_counts(ctx, rep, [c, verbose = *verbose](reply& r, const store::store_usage& u,
                                                          const actors::orchestrator_stats& s) {
    if (!verbose) {
      model::json_writer w;
      w.begin_object();
      write_summary(w, u, s, nullptr);
      w.field_null("runs").end_object();
      return r.send_json(Code::Ok, w.take());
    }
    auto reclaimable = std::make_shared<uint64_t>(0);
    array_body body;
    body.open = "{\"runs\":[";
    auto orch = c->orch;
    body.fetch = [orch, reclaimable](caf::event_based_actor* self, int64_t before_ms,
                                     const std::string& before_id, uint64_t limit,
                                     std::function<void(caf::expected<array_page>)> done) {
      self->request(orch, caf::infinite, actors::usage_atom::value, before_ms, before_id, limit)
          .then(
              [done, reclaimable](actors::run_usage_page& runs) {
                array_page page;
                page.has_more = runs.has_more;
                for (size_t i = 0; i < runs.runs.size(); ++i) {
                  page.items.push_back(run_row(runs.runs[i], runs.bytes[i]));
                  if (model::is_terminal(runs.runs[i].status)) *reclaimable += runs.bytes[i];
                }
                if (!runs.runs.empty()) {
                  page.last_ms = runs.runs.back().created_at_ms;
                  page.last_id = runs.runs.back().id;
                }
                done(std::move(page));
              },
              [done](caf::error& err) { done(std::move(err)); });
    };
    body.close = [u, s, reclaimable] {
      model::json_writer w;
      w.begin_object();
      write_summary(w, u, s, reclaimable.get());
      w.end_object();
      std::string tail = w.take();  // {"summary":...}: joined after the rows
      return "]," + tail.substr(1);
    };
    stream_array(*c, r, std::move(body));
  });
}

}  // namespace

std::vector<route> system_routes() {
  return {
      {"GET", "/health",
       [](const route_context& ctx, const Request&, reply_ptr rep) {
         model::json_writer w;
         w.begin_object().field("status", "ok").field("version", ctx.cfg.version).end_object();
         rep->send_json(Code::Ok, w.str());
       },
       route_access::open},
      {"GET", "/api/v1/system/info", system_info},
      {"GET", "/api/v1/system/df", system_df},
  };
}

}  // namespace fabro::http
