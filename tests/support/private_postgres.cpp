#include "tests/support/private_postgres.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <vector>

namespace fabro::testing {

namespace {

std::string& reason() {
  static std::string r;
  return r;
}

// The newest installed PostgreSQL's bin directory, or "".
std::string find_bin() {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec))
    if (std::filesystem::exists(e.path() / "bin" / "initdb")) found.push_back(e.path() / "bin");
  if (found.empty()) return "";
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return std::stoi(std::filesystem::path(a).parent_path().filename()) <
           std::stoi(std::filesystem::path(b).parent_path().filename());
  });
  return found.back();
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

// Runs argv as `uid` (-1: as we are), output appended to `log`; the exit code.
int run(const std::vector<std::string>& argv, int uid, int gid, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    // The user first: the log is the server's to append to as well.
    if (uid >= 0 && (::setgid(static_cast<gid_t>(gid)) != 0 || ::setuid(static_cast<uid_t>(uid)) != 0))
      ::_exit(126);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string tail(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text.size() > 600 ? text.substr(text.size() - 600) : text;
}

}  // namespace

const std::string& private_postgres::unavailable() { return reason(); }

private_postgres* private_postgres::shared() {
  static std::unique_ptr<private_postgres> server = []() -> std::unique_ptr<private_postgres> {
    std::unique_ptr<private_postgres> pg(new private_postgres());
    pg->bin_ = find_bin();
    if (pg->bin_.empty()) {
      reason() = "no initdb under /usr/lib/postgresql/*/bin (install the postgresql package)";
      return nullptr;
    }
    int gid = -1;
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (!user) {
        reason() = "running as root and there is no 'postgres' user to run PostgreSQL as";
        return nullptr;
      }
      pg->run_as_ = static_cast<int>(user->pw_uid);
      gid = static_cast<int>(user->pw_gid);
    }
    char tmpl[] = "/tmp/fabro-pg-XXXXXX";
    if (!::mkdtemp(tmpl)) {
      reason() = "cannot make a temporary directory";
      return nullptr;
    }
    pg->dir_ = tmpl;
    if (pg->run_as_ >= 0 && ::chown(tmpl, static_cast<uid_t>(pg->run_as_), static_cast<gid_t>(gid)) != 0) {
      reason() = "cannot hand the temporary directory to the postgres user";
      return nullptr;
    }
    std::string data = pg->dir_ + "/data", log = pg->dir_ + "/server.log";
    int rc = run({pg->bin_ + "/initdb", "-D", data, "-U", "fabro", "--auth=trust", "-E", "UTF8",
                  "--no-sync", "--no-instructions"},
                 pg->run_as_, gid, log);
    if (rc != 0) {
      reason() = "initdb failed (" + std::to_string(rc) + "): " + tail(log);
      return nullptr;
    }
    for (int attempt = 0; attempt < 3 && pg->port_ == 0; ++attempt) {
      uint16_t port = free_port();
      std::string options = "-p " + std::to_string(port) + " -k " + pg->dir_ +
                            " -c listen_addresses=127.0.0.1 -c fsync=off"
                            // Asynchronous commits reach the disk only when
                            // something flushes them: the sync tests see it.
                            " -c wal_writer_delay=10000"
                            " -c full_page_writes=off -c max_connections=200";
      rc = run({pg->bin_ + "/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", options,
                "start"},
               pg->run_as_, gid, log);
      if (rc == 0) pg->port_ = port;
    }
    if (pg->port_ == 0) {
      reason() = "pg_ctl start failed: " + tail(log);
      return nullptr;
    }
    return pg;
  }();
  return server.get();
}

private_postgres::~private_postgres() {
  if (port_ != 0) {
    int gid = -1;
    if (run_as_ >= 0)
      if (const passwd* user = ::getpwuid(static_cast<uid_t>(run_as_))) gid = static_cast<int>(user->pw_gid);
    run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"}, run_as_, gid,
        dir_ + "/server.log");
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

std::string private_postgres::url(const std::string& name) const {
  return "postgresql://fabro@127.0.0.1:" + std::to_string(port_) + "/" + name;
}

std::string private_postgres::fresh_database() {
  std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++next_);
  return sql_value(url("postgres"), "CREATE DATABASE " + name) ? url(name) : std::string();
}

std::optional<std::string> sql_value(const std::string& url, const std::string& sql) {
  PGconn* conn = PQconnectdb(url.c_str());
  PGresult* r = PQexec(conn, sql.c_str());
  std::optional<std::string> out;
  auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
    out = PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "";
  PQclear(r);
  PQfinish(conn);
  return out;
}

}  // namespace fabro::testing
