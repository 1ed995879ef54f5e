#include "http/auth_token.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/rand.h>

namespace fabro::http {
namespace {

using model::errc;
using model::make_problem;

constexpr std::string_view kPrefix = "fabro_dev_";

model::problem file_error(const std::string& path, const std::string& what) {
  return make_problem(errc::invalid_request, path + ": " + what);
}

}  // namespace

bool is_dev_token(std::string_view text) {
  if (text.size() != kPrefix.size() + 64 || text.substr(0, kPrefix.size()) != kPrefix) return false;
  for (char c : text.substr(kPrefix.size()))
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

model::result<std::string> generate_dev_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    return make_problem(errc::internal, "cannot generate a dev token: RAND_bytes failed");
  static const char* hex = "0123456789abcdef";
  std::string token(kPrefix);
  for (unsigned char b : bytes) {
    token.push_back(hex[b >> 4]);
    token.push_back(hex[b & 0xF]);
  }
  return token;
}

model::result<dev_token_file> load_or_create_dev_token(const std::string& data_dir) {
  std::string path = (std::filesystem::path(data_dir) / kDevTokenFile).string();
  // O_EXCL: if two servers start at once, exactly one writes the token and
  // the other reads it.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    auto token = generate_dev_token();
    if (!token) {
      ::close(fd);
      ::unlink(path.c_str());
      return token.error();
    }
    std::string line = *token + "\n";
    bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
              ::fsync(fd) == 0;
    ::close(fd);
    if (!ok) {
      ::unlink(path.c_str());
      return file_error(path, std::string("cannot write the dev token: ") + std::strerror(errno));
    }
    return dev_token_file{*token, path, true};
  }
  if (errno != EEXIST)
    return file_error(path, std::string("cannot create the dev token file: ") + std::strerror(errno));
  std::ifstream in(path);
  if (!in) return file_error(path, "cannot read the dev token file");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' '))
    token.pop_back();
  if (!is_dev_token(token))
    return file_error(path, "not a dev token (expected fabro_dev_ and 64 hex digits)");
  return dev_token_file{token, path, false};
}

}  // namespace fabro::http
