#include "actors/event_subscriber.hpp"

#include <caf/send.hpp>
#include <simdjson.h>

#include "actors/event_sink.hpp"

namespace fabro::actors {
namespace {

// Turns the hub's SSE frames ("id: N\ndata: ENVELOPE\n\n"; comments start
// with ':') into messages to `dest`. Only the hub's actor calls it.
class actor_sink final : public event_sink {
 public:
  actor_sink(caf::actor dest, std::string run_id) : dest_(std::move(dest)), run_id_(std::move(run_id)) {}

  status write(std::string_view bytes) override {
    buffer_.append(bytes);
    size_t start = 0, end;
    while ((end = buffer_.find("\n\n", start)) != std::string::npos) {
      deliver(std::string_view(buffer_).substr(start, end - start));
      start = end + 2;
    }
    buffer_.erase(0, start);
    return status::ok;
  }
  status flush() override { return status::ok; }
  void close() override { caf::anon_send(dest_, events_end_atom::value, run_id_); }
  size_t pending() const override { return 0; }

 private:
  void deliver(std::string_view frame) {
    constexpr std::string_view id = "id: ", data = "\ndata: ";
    if (frame.substr(0, id.size()) != id) return;  // a comment (keep-alive, slow consumer)
    auto at = frame.find(data);
    if (at == std::string_view::npos) return;
    uint64_t seq = 0;
    for (char c : frame.substr(id.size(), at - id.size())) seq = seq * 10 + static_cast<uint64_t>(c - '0');
    std::string envelope(frame.substr(at + data.size()));
    std::string run = run_id_;
    if (run.empty()) {  // a global stream: the envelope names its run
      simdjson::dom::element doc;
      std::string_view r;
      if (!parser_.parse(envelope).get(doc) && !doc["run_id"].get(r)) run = std::string(r);
    }
    caf::anon_send(dest_, run_event_atom::value, std::move(run), seq, std::move(envelope));
  }

  caf::actor dest_;
  std::string run_id_;  // "" = global
  std::string buffer_;  // a frame not yet complete
  simdjson::dom::parser parser_;
};

}  // namespace

subscription run_events_to(caf::actor dest, std::string run_id, uint64_t since_seq) {
  subscription s;
  s.sink = std::make_shared<actor_sink>(std::move(dest), run_id);
  s.run_id = std::move(run_id);
  s.since_seq = since_seq < 1 ? 1 : since_seq;
  return s;
}

subscription all_events_to(caf::actor dest, std::vector<std::string> runs) {
  subscription s;
  s.sink = std::make_shared<actor_sink>(std::move(dest), "");
  s.filter = std::move(runs);
  return s;
}

}  // namespace fabro::actors
