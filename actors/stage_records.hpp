// Durable records of the command stages' process groups, so a server that
// died (SIGKILL, OOM, power) leaves no stage running after its restart.
//
// One file per live stage in a directory of the data directory
// (DATA/stages/<pgid>, mode 0600), holding the group id and the start time
// of its leader (/proc/<pid>/stat field 22, clock ticks since boot). The
// process runner writes and fsyncs it right after the spawn, while the
// child waits at its gate (actors/process_runner.cpp: nothing of the stage
// runs before it is recorded; if the server dies first, the child ends
// unrun), and removes it once the group is gone.
//
// Reuse of a pid is never a reason to kill: a group is signalled only when
// its leader still runs with the recorded start time, or when the leader is
// gone and the group still exists (Linux never hands out a pid that is the
// id of a live process group, so such a group is still the stage's). A
// group whose members are all zombies counts as ended (an init that reaps
// orphans late must not hold a restart up).
// POSIX only; no CAF.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace fabro::actors {

// Writes DIR/<pgid> durably; false (errno set) when it cannot.
bool record_stage(const std::string& dir, pid_t pgid);

// Removes DIR/<pgid>; a missing file is fine.
void forget_stage(const std::string& dir, pid_t pgid);

// Terminates every recorded group that still runs: SIGTERM (and SIGCONT),
// then SIGKILL after `grace_ms` for what is left; removes every record.
// Returns how many groups were still running. Blocks up to grace_ms: call it
// at startup, before recovery marks the runs failed.
int reap_recorded_stages(const std::string& dir, int64_t grace_ms);

}  // namespace fabro::actors
