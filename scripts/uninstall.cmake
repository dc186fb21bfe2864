# SPDX-License-Identifier: GPL-2.0-or-later
# cmake -DMSSTUN_FILE=<path of msstun.so> -P scripts/uninstall.cmake
# Run by the `uninstall` target: removes $DESTDIR<path>, unless the file belongs
# to the msstun Debian package (then `dpkg -r msstun` is the way).
set(f "$ENV{DESTDIR}${MSSTUN_FILE}")
if(NOT EXISTS "${f}" AND NOT IS_SYMLINK "${f}")
  message(STATUS "msstun: nothing to remove at ${f}")
  return()
endif()
if("$ENV{DESTDIR}" STREQUAL "")
  find_program(DPKG_QUERY dpkg-query)
  if(DPKG_QUERY)
    execute_process(COMMAND "${DPKG_QUERY}" -S "${f}" OUTPUT_VARIABLE owner RESULT_VARIABLE rc ERROR_QUIET)
    if(rc EQUAL 0 AND owner MATCHES "^msstun:")
      message(FATAL_ERROR "msstun: ${f} is from the msstun Debian package; remove it with `dpkg -r msstun` (as root)")
    endif()
  endif()
endif()
file(REMOVE "${f}")
if(EXISTS "${f}")
  message(FATAL_ERROR "msstun: could not remove ${f} (the global folder needs root)")
endif()
message(STATUS "msstun: removed ${f}")
