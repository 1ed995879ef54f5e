// What a worker writes to a run (issue 14): POST /api/v1/runs/{id}/events
// appends Fabro's RunEvent with the next seq (durable, streamed, contiguous
// with the run's own events), and POST|GET /api/v1/runs/{id}/blobs stores
// and reads content-addressed bytes.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "tests/support/http_client.hpp"
#include "tests/support/manifests.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/sse_client.hpp"
#include "tests/support/wait.hpp"

using namespace fabro::testing;

namespace {

const char* kUnknown = "01JRZ3NDEKTSV4RRFFQ69G5FAV";

std::string event_body(const std::string& run_id, const std::string& name,
                       const std::string& extra = "") {
  return "{\"id\":\"worker-" + name + "\",\"ts\":\"2026-04-13T14:00:00.250+02:00\",\"run_id\":\"" +
         run_id + "\",\"event\":\"" + name + "\",\"properties\":{\"n\":1}" + extra + "}";
}

// The whole stored log of `id`: (seq, event name, envelope).
struct logged {
  uint64_t seq;
  std::string event, envelope;
};
std::vector<logged> event_log(uint16_t port, const std::string& id) {
  auto r = http_request(port, "GET", "/api/v1/runs/" + id + "/events?since_seq=1&limit=1000");
  REQUIRE(r.status == 200);
  simdjson::dom::parser p;
  simdjson::dom::element root;
  REQUIRE_FALSE(p.parse(r.body).get(root));
  std::vector<logged> out;
  for (auto e : root["data"].get_array()) {
    logged l;
    REQUIRE_FALSE(e["seq"].get(l.seq));
    std::string_view name;
    REQUIRE_FALSE(e["event"].get(name));
    l.event = std::string(name);
    l.envelope = simdjson::minify(e);
    out.push_back(std::move(l));
  }
  return out;
}

uint64_t seq_of(const http_response& r) {
  simdjson::dom::parser p;
  simdjson::dom::element root;
  uint64_t seq = 0;
  if (p.parse(r.body).get(root) || root["seq"].get(seq)) return 0;
  return seq;
}

}  // namespace

TEST_CASE("an appended event gets the next seq, is streamed, and survives a kill", "[e2e]") {
  temp_dir dir;
  auto server = std::make_unique<server_process>(dir.path + "/data");
  auto id = json_string_field(
      http_request(server->port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  auto before = event_log(server->port(), id);
  REQUIRE(before.size() == 2);  // run.created, run.submitted
  sse_client stream(server->port(), "/api/v1/runs/" + id + "/attach");

  auto r = http_request(server->port(), "POST", "/api/v1/runs/" + id + "/events",
                        event_body(id, "agent.tool.started",
                                   ",\"node_id\":\"code\",\"stage_id\":\"code@1\","
                                   "\"tool_call_id\":\"t1\",\"actor\":{\"kind\":\"agent\"}"));
  REQUIRE(r.status == 200);
  CHECK(seq_of(r) == 3);
  auto r2 = http_request(server->port(), "POST", "/api/v1/runs/" + id + "/events",
                         event_body(id, "run.notice"));
  CHECK(seq_of(r2) == 4);

  auto frames = stream.wait_for(2);
  REQUIRE(frames.size() == 2);
  CHECK(frames[0].id == 3);
  CHECK(frames[0].data.find("\"tool_call_id\":\"t1\"") != std::string::npos);
  CHECK(frames[1].id == 4);

  auto log = event_log(server->port(), id);
  REQUIRE(log.size() == 4);
  CHECK(log[2].event == "agent.tool.started");
  CHECK(log[2].envelope.find("\"ts\":\"2026-04-13T12:00:00.250Z\"") != std::string::npos);
  CHECK(log[2].envelope.find("\"id\":\"worker-agent.tool.started\"") != std::string::npos);
  CHECK(log[2].envelope.find("\"stage_id\":\"code@1\"") != std::string::npos);

  // Acknowledged means durable: SIGKILL, restart, and both are there.
  server->kill();
  server = std::make_unique<server_process>(dir.path + "/data");
  REQUIRE(server->started());
  auto after = event_log(server->port(), id);
  REQUIRE(after.size() == 4);
  CHECK(after[3].event == "run.notice");
  // The run's own state machine is untouched: still submitted.
  CHECK(json_string_field(http_request(server->port(), "GET", "/api/v1/runs/" + id).body,
                          "status") == "submitted");
  CHECK(seq_of(http_request(server->port(), "POST", "/api/v1/runs/" + id + "/events",
                            event_body(id, "run.notice"))) == 5);
}

TEST_CASE("events appended while a run executes interleave with its own without a gap",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data");
  auto r = http_request(server.port(), "POST", "/api/v1/runs?start=true",
                        exec_manifest(command_workflow("sleep 0.3"), dir.path));
  REQUIRE(r.status == 201);
  auto id = json_string_field(r.body, "id");
  auto status = [&] {
    return json_string_field(http_request(server.port(), "GET", "/api/v1/runs/" + id).body,
                             "status");
  };
  REQUIRE(eventually([&] { return status() == "running"; }));
  std::vector<uint64_t> seqs;
  while (status() == "running" && seqs.size() < 40) {
    auto a = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/events",
                          event_body(id, "agent.message"));
    REQUIRE(a.status == 200);
    seqs.push_back(seq_of(a));
  }
  REQUIRE(eventually([&] { return status() == "completed"; }));
  auto after = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/events",
                            event_body(id, "retro.started"));
  REQUIRE(after.status == 200);  // a finished run's log takes events too
  seqs.push_back(seq_of(after));

  auto log = event_log(server.port(), id);
  for (size_t i = 0; i < log.size(); ++i) CHECK(log[i].seq == i + 1);  // no gap, no duplicate
  size_t appended = 0;
  for (const auto& l : log) appended += l.event == "agent.message" || l.event == "retro.started";
  CHECK(appended == seqs.size());
  for (auto s : seqs) {
    REQUIRE(s >= 1);
    REQUIRE(s <= log.size());
    CHECK((log[s - 1].event == "agent.message" || log[s - 1].event == "retro.started"));
  }
  CHECK(log.back().event == "retro.started");
}

TEST_CASE("an appended event that is not Fabro's RunEvent is a 400 and changes nothing",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data");
  auto id = json_string_field(
      http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  auto post = [&](const std::string& run, const std::string& body) {
    return http_request(server.port(), "POST", "/api/v1/runs/" + run + "/events", body);
  };
  auto other = post(id, event_body(kUnknown, "run.notice"));
  CHECK(other.status == 400);
  CHECK(other.body.find("Event run_id does not match path run ID.") != std::string::npos);
  auto bad_ts = post(id, "{\"id\":\"x\",\"ts\":\"now\",\"run_id\":\"" + id + "\",\"event\":\"a.b\"}");
  CHECK(bad_ts.status == 400);
  CHECK(bad_ts.body.find("Invalid run event: `ts`") != std::string::npos);
  CHECK(post(id, "not json").status == 400);
  CHECK(post(id, event_body(id, "Not An Event")).status == 400);
  CHECK(post(id, event_body(id, "a.b", ",\"stage_id\":\"nope\"")).status == 400);
  CHECK(event_log(server.port(), id).size() == 2);
  CHECK(post(kUnknown, event_body(kUnknown, "run.notice")).status == 404);
  CHECK(post("nope", event_body(id, "run.notice")).status == 400);
}

TEST_CASE("blobs are stored under their SHA-256, read back whole, and go with the run",
          "[e2e]") {
  temp_dir dir;
  server_process server(dir.path + "/data");
  auto id = json_string_field(
      http_request(server.port(), "POST", "/api/v1/runs", minimal_manifest()).body, "id");
  std::string bytes = std::string("blob\0with\xffbinary", 16) + std::string(300000, 'z');
  auto octet = "Content-Type: application/octet-stream\r\n";
  auto w = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/blobs", bytes, octet);
  REQUIRE(w.status == 200);
  auto blob = json_string_field(w.body, "id");
  CHECK(blob.size() == 64);
  auto again = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/blobs", bytes, octet);
  CHECK(json_string_field(again.body, "id") == blob);  // content-addressed
  auto hello = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/blobs", "hello");
  CHECK(json_string_field(hello.body, "id") ==
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

  auto r = http_request(server.port(), "GET", "/api/v1/runs/" + id + "/blobs/" + blob);
  REQUIRE(r.status == 200);
  CHECK(r.headers["content-type"].rfind("application/octet-stream", 0) == 0);
  CHECK(r.body == bytes);
  // Blobs are not a stage's artifacts.
  CHECK(http_request(server.port(), "GET", "/api/v1/runs/" + id + "/artifacts").body ==
        "{\"data\":[]}");

  auto missing = http_request(server.port(), "GET",
                              "/api/v1/runs/" + id + "/blobs/" + std::string(64, 'a'));
  CHECK(missing.status == 404);
  CHECK(missing.body.find("Blob not found.") != std::string::npos);
  CHECK(http_request(server.port(), "GET", "/api/v1/runs/" + id + "/blobs/XYZ").status == 400);
  auto multipart = http_request(server.port(), "POST", "/api/v1/runs/" + id + "/blobs",
                                "--b\r\n\r\n--b--\r\n",
                                "Content-Type: multipart/form-data; boundary=b\r\n");
  CHECK(multipart.status == 400);
  CHECK(http_request(server.port(), "POST", std::string("/api/v1/runs/") + kUnknown + "/blobs",
                     "x").status == 404);

  REQUIRE(http_request(server.port(), "DELETE", "/api/v1/runs/" + id).status == 204);
  CHECK(http_request(server.port(), "GET", "/api/v1/runs/" + id + "/blobs/" + blob).status ==
        404);
}
