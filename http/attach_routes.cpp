// Following runs live over Server-Sent Events (reference §9.3):
// GET /api/v1/runs/{id}/attach?since_seq=N and GET /api/v1/attach?run_id=A,B.
//
// The handler checks the request, then takes the connection over: the
// event hub writes the stream through a socket_sink from then on.
#include <memory>

#include "http/ask.hpp"
#include "http/query_params.hpp"
#include "http/route.hpp"
#include "http/socket_sink.hpp"
#include "model/run_status.hpp"
#include "model/ulid.hpp"

namespace fabro::http {
namespace {

using Pistache::Http::Code;
using Pistache::Rest::Request;

std::string stream_head(const std::string& request_id) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
         "Connection: close\r\nx-request-id: " +
         request_id + "\r\n\r\n";
}

// Starts a stream on `rep` and hands it to the hub.
void start_stream(const route_context& ctx, reply& rep, actors::subscription sub) {
  int fd = rep.take_connection(stream_head(rep.request_id()));
  if (fd < 0) return;  // the client left before the stream began
  sub.sink = std::make_shared<socket_sink>(fd);
  caf::anon_send(ctx.hub, actors::subscribe_atom::value, std::move(sub));
}

// The first seq to replay: since_seq (0 counts as 1), else one past
// Last-Event-ID, else nothing (live only: 0).
model::result<uint64_t> first_seq(const Request& req) {
  if (query_value(req, "since_seq")) {
    auto since = query_uint(req, "since_seq", 1, 0, UINT64_MAX);
    if (!since) return since.error();
    return std::max<uint64_t>(*since, 1);
  }
  if (auto last = req.headers().tryGetRaw("Last-Event-ID")) {
    const auto& v = last->value();
    if (!v.empty() && v.size() < 20 && v.find_first_not_of("0123456789") == std::string::npos)
      return std::stoull(v) + 1;
  }
  return uint64_t{0};
}

void attach_run(const route_context& ctx, const Request& req, reply_ptr rep) {
  auto id = path_run_id(req, *rep);
  if (!id) return;
  auto since = first_seq(req);
  if (!since) return rep->send_problem(since.error());
  // Ask for the run first: unknown runs are 404, and "live only" starts
  // right after the newest stored event, which replay then covers, so a
  // run that ends in between still ends the stream.
  ask<model::run_record>(
      ctx.sys, ctx.orch, rep,
      [ctx, since = *since](reply& r, model::run_record& run) {
        actors::subscription sub;
        sub.run_id = run.id;
        sub.since_seq = since > 0 ? since : run.last_seq + 1;
        // No live event will come for a finished run: end after its log.
        if (model::is_terminal(run.status)) sub.until_seq = std::max<uint64_t>(run.last_seq, 1);
        start_stream(ctx, r, std::move(sub));
      },
      actors::get_atom::value, *id);
}

void attach_all(const route_context& ctx, const Request& req, reply_ptr rep) {
  actors::subscription sub;
  if (auto list = query_value(req, "run_id")) {
    size_t start = 0;
    while (start <= list->size()) {
      auto comma = list->find(',', start);
      auto part = list->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      auto parsed = model::parse_ulid(part);
      if (!parsed)
        return rep->send_problem(
            model::make_problem(model::errc::invalid_run_id, "Invalid run ID."));
      sub.filter.push_back(*parsed);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  start_stream(ctx, *rep, std::move(sub));
}

}  // namespace

std::vector<route> attach_routes() {
  return {
      {"GET", "/api/v1/runs/:id/attach", attach_run},
      {"GET", "/api/v1/attach", attach_all},
  };
}

}  // namespace fabro::http
