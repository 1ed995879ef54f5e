#include "http/array_stream.hpp"

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
  array_body body;
  int64_t before_ms = INT64_MAX;  // keyset position: the last item written
  std::string before_id;
  bool first = true;      // no item written yet
  bool finished = false;  // the close and the last chunk written
  size_t last_pending = 0;
  clock::time_point last_progress = clock::now();
  static inline const char* name = "array_stream";
};

using stream_actor = caf::stateful_actor<stream_state>;

void write_chunk(stream_state& s, const std::string& data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  s.sink->write(std::string(size) + data + "\r\n");
}

void write_page(stream_state& s, array_page& page) {
  std::string data;
  for (auto& item : page.items) {
    if (!s.first) data += ',';
    s.first = false;
    data += item;
  }
  if (!page.items.empty()) {
    s.before_ms = page.last_ms;
    s.before_id = std::move(page.last_id);
  }
  if (!page.has_more) {
    data += s.body.close();
    s.finished = true;
  }
  if (!data.empty()) write_chunk(s, data);
  if (s.finished) s.sink->write("0\r\n\r\n");
}

caf::behavior stream_impl(stream_actor* self, array_stream_config cfg,
                          std::shared_ptr<socket_sink> sink, array_body body) {
  self->state.sink = std::move(sink);
  self->state.body = std::move(body);
  write_chunk(self->state, self->state.body.open);
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
        s.body.fetch(self, s.before_ms, s.before_id, cfg.page_items,
                     [self](caf::expected<array_page> page) {
                       if (!page) return self->quit();  // truncated: no last chunk
                       write_page(self->state, *page);
                       self->send(self, pump_atom::value);
                     });
      },
  };
}

}  // namespace

void stream_array(const route_context& ctx, reply& rep, array_body body,
                  const array_stream_config& cfg) {
  int fd = rep.take_connection(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\nx-request-id: " +
      rep.request_id() + "\r\n\r\n");
  if (fd < 0) return;  // the client left before the body began
  ctx.sys.spawn(stream_impl, cfg, std::make_shared<socket_sink>(fd), std::move(body));
}

void stream_run_list(const route_context& ctx, reply& rep, const array_stream_config& cfg) {
  array_body body;
  auto orch = ctx.orch;
  body.fetch = [orch](caf::event_based_actor* self, int64_t before_ms,
                      const std::string& before_id, uint64_t limit,
                      std::function<void(caf::expected<array_page>)> done) {
    self->request(orch, caf::infinite, actors::list_atom::value, before_ms, before_id, limit)
        .then(
            [done](actors::run_page& runs) {
              array_page page;
              page.has_more = runs.has_more;
              for (const auto& run : runs.runs) page.items.push_back(model::summary_json(run));
              if (!runs.runs.empty()) {
                page.last_ms = runs.runs.back().created_at_ms;
                page.last_id = runs.runs.back().id;
              }
              done(std::move(page));
            },
            [done](caf::error& err) { done(std::move(err)); });
  };
  stream_array(ctx, rep, std::move(body), cfg);
}

}  // namespace fabro::http
