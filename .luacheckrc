std = "lua54"
max_line_length = 120
include_files = { "lua/**/*.lua", "spec/**/*.lua", "bin/cdperf", "bench/**/*.lua", "test/**/*.lua", "fuzz/**/*.lua",
  "*.rockspec", ".luacheckrc", ".busted" }
exclude_files = { "build" }
files["spec"] = { std = "+busted" }
files["*.rockspec"] = { std = "+rockspec", globals = { "rockspec_format", "package", "version", "source",
  "description", "dependencies", "build", "build_dependencies", "test_dependencies", "test" } }
files[".busted"] = { std = "lua54" }
