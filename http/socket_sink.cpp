#include "http/socket_sink.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace fabro::http {

socket_sink::socket_sink(int fd) : fd_(fd) {
  int flags = fcntl(fd_, F_GETFL, 0);
  fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
}

socket_sink::~socket_sink() { close(); }

socket_sink::status socket_sink::flush() {
  if (fd_ < 0) return status::closed;
  while (sent_ < queued_.size()) {
    ssize_t n = ::send(fd_, queued_.data() + sent_, queued_.size() - sent_, MSG_NOSIGNAL);
    if (n > 0) {
      sent_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return status::closed;
  }
  if (sent_ == queued_.size()) {
    queued_.clear();
    sent_ = 0;
  } else if (sent_ > (64u << 10)) {
    queued_.erase(0, sent_);  // keep the queue from growing by what is sent
    sent_ = 0;
  }
  return status::ok;
}

socket_sink::status socket_sink::write(std::string_view bytes) {
  if (fd_ < 0) return status::closed;
  queued_.append(bytes.data(), bytes.size());
  return flush();
}

void socket_sink::close() {
  if (fd_ < 0) return;
  flush();
  // Shut the socket itself down so Pistache, which holds the original
  // descriptor, sees the end of the connection too.
  ::shutdown(fd_, SHUT_RDWR);
  ::close(fd_);
  fd_ = -1;
}

}  // namespace fabro::http
