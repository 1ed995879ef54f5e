// Which sandbox a stage runs in, and what bubblewrap is told.
#include <catch2/catch.hpp>

#include <algorithm>

#include "model/engine/sandbox_isolation.hpp"

using namespace fabro::model;

TEST_CASE("a bubblewrap server runs every stage in bubblewrap, a run may ask for it itself",
          "[model][sandbox]") {
  CHECK(*choose_sandbox("local", "local", true) == "local");
  CHECK(*choose_sandbox("bubblewrap", "local", true) == "bubblewrap");
  CHECK(*choose_sandbox("local", "bubblewrap", true) == "bubblewrap");  // no opting out
  auto missing = choose_sandbox("bubblewrap", "local", false);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().detail.find("'bubblewrap' is not available") != std::string::npos);
  auto unknown = choose_sandbox("docker", "local", true);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().detail ==
        "Sandbox provider 'docker' is not available on this server; only 'local' and "
        "'bubblewrap' are.");
}

TEST_CASE("the bubblewrap command line isolates and leaves only the working directory writable",
          "[model][sandbox]") {
  auto argv = bubblewrap_argv("/usr/bin/bwrap", "/srv/work", {"/var/lib/fabro"});
  REQUIRE(argv.front() == "/usr/bin/bwrap");
  auto has = [&](std::vector<std::string> seq) {
    return std::search(argv.begin(), argv.end(), seq.begin(), seq.end()) != argv.end();
  };
  for (auto flag : {"--die-with-parent", "--unshare-pid", "--unshare-ipc"}) {
    INFO(flag);
    CHECK(has({flag}));
  }
  CHECK(has({"--ro-bind", "/", "/"}));
  CHECK(has({"--proc", "/proc"}));
  CHECK(has({"--tmpfs", "/var/lib/fabro"}));
  // The writable bind comes after every mount that could cover it.
  CHECK(has({"--bind", "/srv/work", "/srv/work", "--chdir", "/srv/work", "--"}));
  CHECK(argv.back() == "--");
}
