// An event_sink over a TCP socket taken from Pistache (see
// reply::take_connection): nonblocking writes with a queue of what the
// client has not taken yet. Owned by the event hub after subscription.
#pragma once

#include <string>

#include "actors/event_sink.hpp"

namespace fabro::http {

class socket_sink final : public actors::event_sink {
 public:
  // Takes ownership of `fd` (a dup of the connection's socket).
  explicit socket_sink(int fd);
  ~socket_sink() override;
  status write(std::string_view bytes) override;
  status flush() override;
  void close() override;
  size_t pending() const override { return queued_.size() - sent_; }

 private:
  int fd_;
  std::string queued_;
  size_t sent_ = 0;  // bytes of queued_ already written
};

}  // namespace fabro::http
