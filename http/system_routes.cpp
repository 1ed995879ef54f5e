// GET /health (liveness and version, no authentication), and Fabro's
// GET /api/v1/system/info (SystemInfoResponse) and GET /api/v1/system/df
// (DiskUsageResponse).
#include <sys/utsname.h>

#include <chrono>

#include "http/ask.hpp"
#include "http/route.hpp"
#include "model/json_writer.hpp"

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

// Asks the store's usage, then the orchestrator's counts, and answers
// render(usage, counts).
template <class Render>
void with_usage_and_counts(const route_context& ctx, reply_ptr rep, Render render) {
  auto sys = &ctx.sys;
  auto orch = ctx.orch;
  ask<store::store_usage>(
      ctx.sys, ctx.orch, rep,
      [sys, orch, rep, render](reply&, store::store_usage& usage) {
        ask<actors::orchestrator_stats>(
            *sys, orch, rep,
            [usage, render](reply& r, actors::orchestrator_stats& stats) {
              r.send_json(Code::Ok, render(usage, stats));
            },
            actors::stats_atom::value);
      },
      actors::usage_atom::value);
}

void system_info(const route_context& ctx, const Request&, reply_ptr rep) {
  auto cfg = ctx.cfg;
  with_usage_and_counts(ctx, rep, [cfg](const store::store_usage& u,
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
        .field("sandbox_provider", cfg.sandbox_provider)
        .end_object();
    return w.take();
  });
}

// One summary row, "runs": every stored run; those neither queued nor
// executing could be deleted, but their share of the store's bytes is not
// known per run, so reclaimable bytes are null (unknown). Per-run rows
// (verbose) are not kept: "runs" is null.
void system_df(const route_context& ctx, const Request&, reply_ptr rep) {
  with_usage_and_counts(ctx, rep, [](const store::store_usage& u,
                                     const actors::orchestrator_stats& s) {
    model::json_writer w;
    w.begin_object().key("summary").begin_array();
    w.begin_object()
        .field("type", "runs")
        .field("count", u.runs)
        .field("active", active_runs(s))
        .field("size_bytes", u.bytes)
        .field_null("reclaimable_bytes")
        .end_object();
    w.end_array()
        .field("total_size_bytes", u.bytes)
        .field("total_reclaimable_bytes", uint64_t{0})
        .field_null("runs")
        .end_object();
    return w.take();
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
