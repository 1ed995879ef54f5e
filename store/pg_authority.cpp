#include "store/pg_authority.hpp"

#include <libpq-fe.h>

#include <chrono>
#include <cstdlib>

#include "store/pg_run_store.hpp"

namespace fabro::store {

using model::done;
using model::errc;
using model::make_problem;
using model::result;

namespace {

// The lock's key: one authority per database.
constexpr const char* kTryLock = "SELECT pg_try_advisory_lock(7336420180002)";

using owned_result = std::unique_ptr<PGresult, decltype(&PQclear)>;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Runs `sql` with text parameters; nullptr result status checked by caller.
owned_result exec(PGconn* conn, const char* sql, const std::vector<std::string>& args) {
  std::vector<const char*> values;
  for (const auto& a : args) values.push_back(a.c_str());
  return owned_result(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr,
                                   values.data(), nullptr, nullptr, 0),
                      &PQclear);
}

bool ok(const owned_result& r) {
  auto s = PQresultStatus(r.get());
  return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
}

}  // namespace

result<std::unique_ptr<pg_authority>> pg_authority::open(const std::string& url,
                                                         std::string node_id) {
  const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {"10", "fabro-orchestrator authority", url.c_str(), nullptr};
  std::unique_ptr<pg_authority> a(
      new pg_authority(PQconnectdbParams(keys, values, 1), url, std::move(node_id)));
  PQsetNoticeProcessor(a->conn_, [](void*, const char*) {}, nullptr);
  if (PQstatus(a->conn_) != CONNECTION_OK) return a->failure("cannot connect to the store");
  a->started_ms_ = now_ms();
  return a;
}

pg_authority::~pg_authority() { PQfinish(conn_); }

model::problem pg_authority::failure(const std::string& what) const {
  std::string message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return make_problem(errc::storage_failure,
                      what + " (" + pg_run_store::redacted(url_) + "): " + message);
}

result<uint64_t> pg_authority::try_acquire() {
  if (term_ > 0) return term_;  // held (advisory locks stack: never ask twice)
  auto lock = exec(conn_, kTryLock, {});
  if (!ok(lock)) return failure("cannot ask for the authority's lock");
  if (std::string(PQgetvalue(lock.get(), 0, 0)) != "t") return uint64_t{0};
  // Ours: the next term, in this session (the lock stays until it ends).
  auto bump = exec(conn_,
                   "INSERT INTO fabro_authority(term, node_id, since_ms) VALUES (1, $1, $2)"
                   " ON CONFLICT (one) DO UPDATE SET term = fabro_authority.term + 1,"
                   " node_id = excluded.node_id, since_ms = excluded.since_ms, endpoint = ''"
                   " RETURNING term",
                   {id_, std::to_string(now_ms())});
  if (!ok(bump)) return failure("cannot take the authority's term");
  term_ = std::strtoull(PQgetvalue(bump.get(), 0, 0), nullptr, 10);
  return term_;
}

result<done> pg_authority::heartbeat(const std::string& address, uint64_t slots) {
  auto r = exec(conn_,
                "INSERT INTO fabro_nodes(id, address, heartbeat_ms, started_ms, slots)"
                " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET"
                " address = excluded.address, heartbeat_ms = excluded.heartbeat_ms,"
                " started_ms = excluded.started_ms, slots = excluded.slots",
                {id_, address, std::to_string(now_ms()), std::to_string(started_ms_),
                 std::to_string(slots)});
  if (!ok(r)) return failure("cannot record the heartbeat");
  return done{};
}

result<done> pg_authority::publish_endpoint(const std::string& endpoint) {
  auto r = exec(conn_, "UPDATE fabro_authority SET endpoint = $1 WHERE term = $2",
                {endpoint, std::to_string(term_)});
  if (!ok(r)) return failure("cannot publish the authority's endpoint");
  return done{};
}

result<authority_holder> pg_authority::authority() {
  auto r = exec(conn_, "SELECT node_id, term, endpoint FROM fabro_authority", {});
  if (!ok(r)) return failure("cannot read the authority");
  if (PQntuples(r.get()) == 0) return authority_holder{};
  return authority_holder{PQgetvalue(r.get(), 0, 0),
                          std::strtoull(PQgetvalue(r.get(), 0, 1), nullptr, 10),
                          PQgetvalue(r.get(), 0, 2)};
}

result<std::vector<cluster_node>> pg_authority::nodes(int64_t recent_ms) {
  auto r = exec(conn_,
                "SELECT n.id, n.address, CASE WHEN a.node_id = n.id THEN 'authority'"
                " ELSE 'follower' END, n.heartbeat_ms, n.started_ms, n.slots FROM fabro_nodes n"
                " LEFT JOIN fabro_authority a ON true WHERE n.heartbeat_ms >= $1"
                " ORDER BY (a.node_id = n.id) DESC, n.id",
                {std::to_string(now_ms() - recent_ms)});
  if (!ok(r)) return failure("cannot list the nodes");
  std::vector<cluster_node> out;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    out.push_back({PQgetvalue(r.get(), i, 0), PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2),
                   std::strtoull(PQgetvalue(r.get(), i, 5), nullptr, 10),
                   std::strtoll(PQgetvalue(r.get(), i, 3), nullptr, 10),
                   std::strtoll(PQgetvalue(r.get(), i, 4), nullptr, 10)});
  return out;
}

}  // namespace fabro::store
