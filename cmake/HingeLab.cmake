# Small helpers so every module folder declares itself the same way.
#
#   hl_add_library(NAME hl_core SRCS a.cc b.cc DEPS Eigen3::Eigen)
#   hl_add_test(MODULE core NAME c3d_test SRCS c3d_test.cc DEPS hl_core)
#       -> executable core_c3d_test, ctest name "core/c3d_test"
#   hl_add_module_tests(core DEPS hl_core)   registers every tests/core/*_test.cc

function(hl_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wshadow=local)
  endif()
  if(HL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

function(hl_add_sanitizers target)
  if(HL_ASAN)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined
                           -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

function(hl_add_library)
  cmake_parse_arguments(A "SHARED" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(A_SHARED)
    add_library(${A_NAME} SHARED ${A_SRCS})
  else()
    add_library(${A_NAME} STATIC ${A_SRCS})
  endif()
  target_include_directories(${A_NAME} PUBLIC ${HL_SOURCE_DIR})
  target_link_libraries(${A_NAME} PUBLIC ${A_DEPS} PRIVATE ${A_PRIVATE_DEPS})
  hl_set_warnings(${A_NAME})
  hl_add_sanitizers(${A_NAME})
endfunction()

function(hl_add_executable)
  cmake_parse_arguments(A "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${A_NAME} ${A_SRCS})
  target_include_directories(${A_NAME} PRIVATE ${HL_SOURCE_DIR})
  target_link_libraries(${A_NAME} PRIVATE ${A_DEPS})
  hl_set_warnings(${A_NAME})
  hl_add_sanitizers(${A_NAME})
endfunction()

function(hl_add_test)
  cmake_parse_arguments(A "" "MODULE;NAME;TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  set(target ${A_MODULE}_${A_NAME})
  hl_add_executable(NAME ${target} SRCS ${A_SRCS} DEPS ${A_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${target} PRIVATE
    HL_SHARED_DIR="${HL_SHARED_DIR}" HL_SOURCE_DIR="${HL_SOURCE_DIR}"
    HL_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${A_MODULE}/${A_NAME} COMMAND ${target}
           WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  if(NOT A_TIMEOUT)
    set(A_TIMEOUT 600)
  endif()
  set_tests_properties(${A_MODULE}/${A_NAME} PROPERTIES TIMEOUT ${A_TIMEOUT})
  if(A_LABELS)
    set_tests_properties(${A_MODULE}/${A_NAME} PROPERTIES LABELS "${A_LABELS}")
  endif()
endfunction()

# Registers tests/<module>/*_test.cc, one ctest entry each.
function(hl_add_module_tests module)
  cmake_parse_arguments(A "" "" "DEPS;LABELS" ${ARGN})
  file(GLOB files CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${module}/*_test.cc)
  foreach(f ${files})
    get_filename_component(name ${f} NAME_WE)
    hl_add_test(MODULE ${module} NAME ${name} SRCS ${f} DEPS ${A_DEPS} LABELS ${A_LABELS})
  endforeach()
endfunction()

# A module library from every *.cc in the listed folders (relative to the
# current source dir). A module with no sources yet is an INTERFACE library,
# so dependents link the same way before and after it grows.
function(hl_add_module_library)
  cmake_parse_arguments(A "" "NAME" "DIRS;DEPS;PRIVATE_DEPS" ${ARGN})
  set(srcs)
  foreach(d ${A_DIRS})
    file(GLOB s CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${d}/*.cc)
    list(APPEND srcs ${s})
  endforeach()
  if(srcs)
    hl_add_library(NAME ${A_NAME} SRCS ${srcs} DEPS ${A_DEPS} PRIVATE_DEPS ${A_PRIVATE_DEPS})
  else()
    add_library(${A_NAME} INTERFACE)
    target_include_directories(${A_NAME} INTERFACE ${HL_SOURCE_DIR})
    target_link_libraries(${A_NAME} INTERFACE ${A_DEPS})
  endif()
endfunction()
