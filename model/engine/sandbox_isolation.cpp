#include "model/engine/sandbox_isolation.hpp"

namespace fabro::model {

result<std::string> choose_sandbox(const std::string& requested,
                                   const std::string& server_default, bool bwrap_available) {
  if (requested != "local" && requested != "bubblewrap")
    return make_problem(errc::invalid_request,
                        "Sandbox provider '" + requested +
                            "' is not available on this server; only 'local' and 'bubblewrap' "
                            "are.");
  auto chosen = server_default == "bubblewrap" ? server_default : requested;
  if (chosen == "bubblewrap" && !bwrap_available)
    return make_problem(errc::invalid_request,
                        "Sandbox provider 'bubblewrap' is not available on this server (bwrap is "
                        "not installed or cannot create namespaces here).");
  return chosen;
}

std::vector<std::string> bubblewrap_argv(const std::string& bwrap_path,
                                         const std::string& work_dir,
                                         const std::vector<std::string>& hidden) {
  std::vector<std::string> argv{bwrap_path,      "--die-with-parent", "--unshare-pid",
                                "--unshare-ipc", "--unshare-uts",     "--ro-bind",
                                "/",             "/",                 "--dev",
                                "/dev",          "--proc",            "/proc",
                                "--tmpfs",       "/tmp"};
  for (const auto& h : hidden) {
    argv.push_back("--tmpfs");
    argv.push_back(h);
  }
  // Last, so the working directory stays writable even under /tmp.
  argv.insert(argv.end(), {"--bind", work_dir, work_dir, "--chdir", work_dir, "--"});
  return argv;
}

}  // namespace fabro::model
