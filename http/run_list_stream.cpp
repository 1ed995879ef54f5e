#include "http/run_list_stream.hpp"

#include <climits>
#include <cstdio>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "http/socket_sink.hpp"
#include "model/run_json.hpp"

namespace fabro::http {
namespace {

using pump_atom = caf::atom_constant<caf::atom("pump")>;
using clock = std::chrono::steady_clock;

struct stream_state {
  std::shared_ptr<socket_sink> sink;
  int64_t before_ms = INT64_MAX;  // keyset position: the last run written
  std::string before_id;
  bool opened = false;    // "[" written
  bool finished = false;  // "]" and the last chunk written
  size_t last_pending = 0;
  clock::time_point last_progress = clock::now();
  static inline const char* name = "run_list_stream";
};

using stream_actor = caf::stateful_actor<stream_state>;

void write_chunk(stream_state& s, const std::string& data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  s.sink->write(std::string(size) + data + "\r\n");
}

void write_page(stream_state& s, const actors::run_page& page) {
  std::string data;
  for (const auto& run : page.runs) {
    data += s.opened ? ',' : '[';
    s.opened = true;
    data += model::summary_json(run);
  }
  if (!page.runs.empty()) {
    s.before_ms = page.runs.back().created_at_ms;
    s.before_id = page.runs.back().id;
  }
  if (!page.has_more) {
    data += s.opened ? "]" : "[]";
    s.finished = true;
  }
  if (!data.empty()) write_chunk(s, data);
  if (s.finished) s.sink->write("0\r\n\r\n");
}

caf::behavior stream_impl(stream_actor* self, actors::orchestrator_actor orch,
                          run_list_stream_config cfg, std::shared_ptr<socket_sink> sink) {
  self->state.sink = std::move(sink);
  self->send(self, pump_atom::value);
  return {
      [=](pump_atom) {
        auto& s = self->state;
        if (s.sink->flush() == actors::event_sink::status::closed) return self->quit();
        auto now = clock::now();
        if (s.sink->pending() < s.last_pending || s.sink->pending() == 0) s.last_progress = now;
        s.last_pending = s.sink->pending();
        if (s.sink->pending() > (s.finished ? 0 : cfg.high_water_bytes)) {
          if (now - s.last_progress > cfg.stall_limit) return self->quit();  // sink closes
          self->delayed_send(self, cfg.poll, pump_atom::value);
          return;
        }
        if (s.finished) {
          s.sink->close();
          return self->quit();
        }
        self->request(orch, caf::infinite, actors::list_atom::value, s.before_ms, s.before_id,
                      cfg.page_runs)
            .then(
                [=](actors::run_page& page) {
                  write_page(self->state, page);
                  self->send(self, pump_atom::value);
                },
                [=](caf::error&) { self->quit(); });  // truncated: no last chunk
      },
  };
}

}  // namespace

void stream_run_list(const route_context& ctx, reply& rep, const run_list_stream_config& cfg) {
  int fd = rep.take_connection(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\nx-request-id: " +
      rep.request_id() + "\r\n\r\n");
  if (fd < 0) return;  // the client left before the list began
  ctx.sys.spawn(stream_impl, ctx.orch, cfg, std::make_shared<socket_sink>(fd));
}

}  // namespace fabro::http
