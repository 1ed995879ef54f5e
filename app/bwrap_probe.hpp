// Whether the bubblewrap sandbox can run on this host: bwrap installed and
// allowed to create the namespaces a stage gets (user namespaces may be
// disabled, or a container may forbid them).
#pragma once

#include <string>

namespace fabro::app {

struct bwrap_probe {
  std::string path;   // the bwrap binary; "" when not found
  bool works = false; // a trial sandbox ran /bin/true and exited 0
  std::string error;  // why not, for the log or a refusal
};

// Looks for bwrap on PATH (then /usr/bin/bwrap) and runs one trial sandbox
// with the options stages get. Blocks for that trial (milliseconds).
bwrap_probe probe_bwrap();

}  // namespace fabro::app
