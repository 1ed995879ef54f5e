// Creating and reading runs: POST /api/v1/runs[?start=true], GET /api/v1/runs, GET /api/v1/runs/{id},
// GET /api/v1/runs/{id}/events.
#include "actors/journal.hpp"
#include "actors/run_submission.hpp"
#include "http/ask.hpp"
#include "http/headers.hpp"
#include "http/query_params.hpp"
#include "http/route.hpp"
#include "http/array_stream.hpp"
#include "model/run_board.hpp"
#include "model/run_json.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

// Answers a fast-path submission (actors/run_intake.hpp) on whichever
// thread hears the outcome. The 201 body is rendered on the HTTP thread.
class reply_waiter final : public actors::create_waiter {
 public:
  reply_waiter(reply_ptr rep, std::string created_body)
      : rep_(std::move(rep)), created_body_(std::move(created_body)) {}
  void done(model::result<actors::create_result> outcome) override {
    if (!outcome) return rep_->send_problem(outcome.error());
    if (outcome->created) return rep_->send_json(Code::Created, created_body_);
    rep_->send_json(Code::Ok, model::status_response_json(outcome->record));
  }

 private:
  reply_ptr rep_;
  std::string created_body_;
};

void create_run(const route_context& ctx, const Request& req, reply_ptr rep) {
  if (req.body().size() > ctx.cfg.max_body_bytes) {
    rep->send_problem(model::make_problem(
        model::errc::payload_too_large,
        "Request body exceeds the limit of " + std::to_string(ctx.cfg.max_body_bytes) +
            " bytes."));
    return;
  }
  auto start = query_flag(req, "start");  // DESIGN §4.6: create and queue at once
  if (!start) return rep->send_problem(start.error());
  auto run = actors::prepare_run(req.body());
  if (!run) return rep->send_problem(run.error());
  auto on_created = [](reply& r, actors::create_result& res) {
    r.send_json(res.created ? Code::Created : Code::Ok, model::status_response_json(res.record));
  };
  if (!*start && ctx.journal) {
    auto body = model::status_response_json(run->record);
    auto waiter = std::make_shared<reply_waiter>(std::move(rep), std::move(body));
    return actors::submit_run(ctx.journal, std::move(*run), std::move(waiter));
  }
  if (*start)
    ask<actors::create_result>(ctx.sys, ctx.orch, std::move(rep), on_created,
                               actors::create_atom::value, std::move(*run), true);
  else
    ask<actors::create_result>(ctx.sys, ctx.orch, std::move(rep), on_created,
                               actors::create_atom::value, std::move(*run));
}

// Without page parameters, the whole list streamed (http/array_stream);
// with either, one page and a Link to the next (RFC 8288) when there is
// one. Both a plain array of run summaries, newest first (seed-era
// listRuns).
void list_runs(const route_context& ctx, const Request& req, reply_ptr rep) {
  if (!query_value(req, "page[limit]") && !query_value(req, "page[offset]"))
    return stream_run_list(ctx, *rep);
  auto page = query_page(req);
  if (!page) return rep->send_problem(page.error());
  ask<actors::run_page>(
      ctx.sys, ctx.orch, std::move(rep),
      [limit = page->limit, offset = page->offset](reply& r, actors::run_page& page) {
        std::string body = "[";
        for (const auto& run : page.runs) {
          if (body.size() > 1) body += ',';
          body += model::summary_json(run);
        }
        body += ']';
        if (page.has_more)
          r.add_header<link>("</api/v1/runs?page%5Blimit%5D=" + std::to_string(limit) +
                             "&page%5Boffset%5D=" + std::to_string(offset + limit) +
                             ">; rel=\"next\"");
        r.send_json(Code::Ok, body);
      },
      actors::list_atom::value, page->offset, page->limit);
}

// Fabro's board view: PaginatedRunList of the runs with a column.
void list_board(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto page = query_page(req);
  if (!page) return rep->send_problem(page.error());
  ask<actors::run_page>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, actors::run_page& page) {
        r.send_json(Code::Ok, model::board_page_json(page.runs, page.has_more));
      },
      actors::board_atom::value, page->offset, page->limit);
}

void get_run(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  ask<model::run_record>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, model::run_record& run) { r.send_json(Code::Ok, model::summary_json(run)); },
      actors::get_atom::value, *id);
}

void list_events(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto since = query_uint(req, "since_seq", 1, 1, UINT64_MAX);
  if (!since) return rep->send_problem(since.error());
  auto limit = query_uint(req, "limit", 100, 1, 1000);
  if (!limit) return rep->send_problem(limit.error());
  ask<actors::event_page>(
      ctx.sys, ctx.orch, std::move(rep),
      [](reply& r, actors::event_page& page) {
        // Bounded in bytes as well as count: a page stops before 32 MiB
        // (keeping at least one event) and says has_more, and the client
        // goes on from the next seq.
        constexpr size_t kMaxPageBytes = 32u << 20;
        size_t bytes = 0, keep = 0;
        while (keep < page.events.size() &&
               (keep == 0 || bytes + page.events[keep].size() <= kMaxPageBytes))
          bytes += page.events[keep++].size();
        if (keep < page.events.size()) {
          page.events.resize(keep);
          page.has_more = true;
        }
        r.send_json(Code::Ok, model::page_json(page.events, page.has_more));
      },
      actors::events_atom::value, *id, *since, *limit);
}

}  // namespace

std::vector<route> run_routes() {
  return {
      {"POST", "/api/v1/runs", create_run, route_access::subject},
      {"GET", "/api/v1/runs", list_runs},
      {"GET", "/api/v1/boards/runs", list_board},
      {"GET", "/api/v1/runs/:id", get_run},
      {"GET", "/api/v1/runs/:id/events", list_events},
  };
}

}  // namespace fabro::http
