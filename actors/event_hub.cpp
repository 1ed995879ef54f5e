#include "actors/event_hub.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

namespace fabro::actors {
namespace {

constexpr uint64_t kReplayPage = 256;
constexpr std::chrono::milliseconds kFlushInterval{100};

struct subscriber {
  subscription sub;
  bool replaying = false;
  uint64_t next_seq = 1;                   // per-run: the next seq to send
  std::map<uint64_t, published_event> held;  // live events that arrived during replay
  std::chrono::steady_clock::time_point last_write;
};

struct hub_state {
  event_hub_config cfg;
  orchestrator_actor source;
  uint64_t next_id = 1;
  std::unordered_map<uint64_t, subscriber> subs;
  std::unordered_multimap<std::string, uint64_t> by_run;  // per-run and filtered subs
  std::vector<uint64_t> global;                            // unfiltered subs
  static inline const char* name = "event_hub";
};

using hub_pointer = event_hub_actor::stateful_pointer<hub_state>;

void drop(hub_pointer self, uint64_t id, const char* final_comment = nullptr) {
  auto& st = self->state;
  auto it = st.subs.find(id);
  if (it == st.subs.end()) return;
  if (final_comment) it->second.sub.sink->write(final_comment);
  it->second.sub.sink->close();
  st.subs.erase(it);
  for (auto r = st.by_run.begin(); r != st.by_run.end();)
    r = r->second == id ? st.by_run.erase(r) : std::next(r);
  st.global.erase(std::remove(st.global.begin(), st.global.end(), id), st.global.end());
}

// Writes `bytes`; drops the subscriber when it is gone or too slow.
bool send_bytes(hub_pointer self, uint64_t id, subscriber& s, const std::string& bytes) {
  auto status = s.sub.sink->write(bytes);
  if (status == event_sink::status::ok && s.sub.sink->pending() > self->state.cfg.max_pending_bytes)
    status = event_sink::status::slow;
  s.last_write = std::chrono::steady_clock::now();
  if (status == event_sink::status::ok) return true;
  drop(self, id, status == event_sink::status::slow ? ": slow consumer disconnected\n\n" : nullptr);
  return false;
}

// Per-run delivery in seq order; ends the stream after a terminal event.
void deliver(hub_pointer self, uint64_t id, const published_event& e) {
  auto it = self->state.subs.find(id);
  if (it == self->state.subs.end()) return;
  auto& s = it->second;
  if (!s.sub.run_id.empty()) {
    if (e.seq < s.next_seq) return;  // already sent (replay overlap)
    s.next_seq = e.seq + 1;
  }
  if (!send_bytes(self, id, s, sse_frame(e.seq, e.envelope))) return;
  bool past_end = s.sub.until_seq != 0 && e.seq >= s.sub.until_seq;
  if (!s.sub.run_id.empty() && (is_terminal_event(e.event) || past_end)) drop(self, id);
}

void replay(hub_pointer self, uint64_t id);

// Replay is done: send what was held back, then go live.
void finish_replay(hub_pointer self, uint64_t id) {
  auto it = self->state.subs.find(id);
  if (it == self->state.subs.end()) return;
  it->second.replaying = false;
  auto held = std::move(it->second.held);
  for (auto& [seq, e] : held) deliver(self, id, e);
  // A finished run's stream with nothing (more) to replay ends now.
  it = self->state.subs.find(id);
  if (it != self->state.subs.end() && it->second.sub.until_seq != 0 &&
      it->second.next_seq > it->second.sub.until_seq)
    drop(self, id);
}

void replay(hub_pointer self, uint64_t id) {
  auto it = self->state.subs.find(id);
  if (it == self->state.subs.end()) return;
  auto run_id = it->second.sub.run_id;
  auto from = it->second.next_seq;
  self->request(self->state.source, std::chrono::seconds(30), events_atom::value, run_id, from,
                kReplayPage)
      .then(
          [=](event_page& page) {
            for (auto& envelope : page.events) {
              auto sit = self->state.subs.find(id);
              if (sit == self->state.subs.end()) return;
              published_event e;
              e.run_id = run_id;
              e.seq = sit->second.next_seq;
              // The stored envelope carries its own name; find it for the
              // terminal check without a JSON parse.
              auto pos = envelope.find("\"event\":\"");
              if (pos != std::string::npos) {
                auto start = pos + 9;
                e.event = envelope.substr(start, envelope.find('"', start) - start);
              }
              e.envelope = std::move(envelope);
              deliver(self, id, e);
            }
            if (page.has_more) replay(self, id);
            else finish_replay(self, id);
          },
          [=](caf::error&) { drop(self, id); });
}

void subscribe(hub_pointer self, subscription& sub) {
  auto& st = self->state;
  uint64_t id = st.next_id++;
  subscriber s;
  s.sub = std::move(sub);
  s.last_write = std::chrono::steady_clock::now();
  bool per_run = !s.sub.run_id.empty();
  if (per_run) {
    st.by_run.emplace(s.sub.run_id, id);
    s.replaying = true;
    s.next_seq = std::max<uint64_t>(s.sub.since_seq, 1);
  } else if (s.sub.filter.empty()) {
    st.global.push_back(id);
  } else {
    for (const auto& r : s.sub.filter) st.by_run.emplace(r, id);
  }
  st.subs.emplace(id, std::move(s));
  if (per_run) replay(self, id);
}

// One commit's events reach each subscriber as one write: the frames are
// built once, and a burst costs a subscriber one send, not one per event.
void publish(hub_pointer self, std::vector<published_event>& events) {
  auto& st = self->state;
  std::unordered_map<uint64_t, std::string> out;  // subscriber -> its bytes
  std::vector<uint64_t> order, ended;              // ended: after a terminal event
  for (auto& e : events) {
    auto frame = sse_frame(e.seq, e.envelope);
    std::vector<uint64_t> targets(st.global.begin(), st.global.end());
    auto range = st.by_run.equal_range(e.run_id);
    for (auto it = range.first; it != range.second; ++it) targets.push_back(it->second);
    for (auto id : targets) {
      auto sit = st.subs.find(id);
      if (sit == st.subs.end()) continue;
      auto& s = sit->second;
      if (s.replaying) {
        s.held.emplace(e.seq, e);
        continue;
      }
      if (!s.sub.run_id.empty()) {
        if (e.seq < s.next_seq) continue;  // already sent, or the stream has ended
        s.next_seq = e.seq + 1;
        bool past_end = s.sub.until_seq != 0 && e.seq >= s.sub.until_seq;
        if (is_terminal_event(e.event) || past_end) {
          ended.push_back(id);
          s.next_seq = UINT64_MAX;  // nothing more for it in this batch
        }
      }
      auto [buf, fresh] = out.try_emplace(id);
      if (fresh) order.push_back(id);
      buf->second += frame;
    }
  }
  for (auto id : order) {
    auto sit = st.subs.find(id);
    if (sit == st.subs.end()) continue;
    send_bytes(self, id, sit->second, out[id]);
  }
  for (auto id : ended) drop(self, id);
}

void tick(hub_pointer self) {
  auto now = std::chrono::steady_clock::now();
  std::vector<uint64_t> ids;
  for (auto& [id, s] : self->state.subs) ids.push_back(id);
  for (auto id : ids) {
    auto it = self->state.subs.find(id);
    if (it == self->state.subs.end()) continue;
    auto& s = it->second;
    if (now - s.last_write >= self->state.cfg.keepalive) {
      send_bytes(self, id, s, ": keep-alive\n\n");
    } else if (s.sub.sink->pending() > 0 && s.sub.sink->flush() == event_sink::status::closed) {
      drop(self, id);
    }
  }
  self->delayed_send(self, std::min(kFlushInterval, self->state.cfg.keepalive),
                     tick_hub_atom::value);
}

event_hub_actor::behavior_type hub_impl(hub_pointer self, orchestrator_actor source,
                                        event_hub_config cfg) {
  self->state.cfg = cfg;
  self->state.source = std::move(source);
  self->send(self, tick_hub_atom::value);
  return {
      [=](publish_atom, std::vector<published_event>& events) { publish(self, events); },
      [=](subscribe_atom, subscription& sub) { subscribe(self, sub); },
      [=](orchestrator_actor& source) { self->state.source = std::move(source); },
      [=](tick_hub_atom) { tick(self); },
      [=](reset_hub_atom) {
        std::vector<uint64_t> ids;
        for (auto& [id, s] : self->state.subs) ids.push_back(id);
        for (auto id : ids) drop(self, id, ": the queue authority changed; reconnect\n\n");
      },
      [=](get_atom) { return static_cast<uint64_t>(self->state.subs.size()); },
  };
}

}  // namespace

event_hub_actor spawn_event_hub(caf::actor_system& sys, orchestrator_actor events_source,
                                event_hub_config cfg) {
  return sys.spawn(hub_impl, std::move(events_source), cfg);
}

std::string sse_frame(uint64_t seq, const std::string& envelope) {
  std::string out = "id: " + std::to_string(seq) + "\ndata: ";
  out.reserve(out.size() + envelope.size() + 2);
  out += envelope;
  out += "\n\n";
  return out;
}

}  // namespace fabro::actors
