// Public: actors layer (installed for embedders under include/fabro/).
// Where the event hub writes a subscriber's stream: an abstract byte sink,
// so actors/ knows nothing of sockets or HTTP (http/socket_sink.* is the
// real one; tests use an in-memory sink).
//
// Owned by the event hub actor once subscribed: only it calls write/close.
#pragma once

#include <memory>
#include <string_view>

#include <caf/allowed_unsafe_message_type.hpp>

namespace fabro::actors {

class event_sink {
 public:
  enum class status {
    ok,      // written, or queued within the sink's bound
    slow,    // the consumer is too far behind: its bound is exceeded
    closed,  // the consumer is gone
  };
  virtual ~event_sink() = default;
  // Queues `bytes` and writes as much as the consumer takes now.
  virtual status write(std::string_view bytes) = 0;
  // Writes what is queued, if the consumer takes it.
  virtual status flush() = 0;
  // Ends the stream (the consumer sees end of file).
  virtual void close() = 0;
  // Bytes queued but not yet taken by the consumer.
  virtual size_t pending() const = 0;
};

using event_sink_ptr = std::shared_ptr<event_sink>;

}  // namespace fabro::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(fabro::actors::event_sink_ptr)
