/* Prints the option catalogue through the C ABI, one option a line:
 * name, type, default, applies_to, cli_flag, doc, separated by tabs. The
 * catalogue check (check_option_catalogue.py) compares every copy of the
 * option list in the repository against it. */
#include <btopt/btopt.h>

#include <stdio.h>

int main(void)
{
    static const char *const types[] = {"int", "double", "string"};
    const size_t count = btopt_option_count();
    for (size_t i = 0; i < count; ++i) {
        btopt_option_desc d = {0};
        d.struct_size = sizeof d;
        if (btopt_option_info(i, &d) != BTOPT_OK) {
            fprintf(stderr, "btopt_option_info(%zu): %s\n", i, btopt_last_error());
            return 1;
        }
        printf("%s\t%s\t%s\t%s\t%s\t%s\n", d.name, types[d.type], d.default_value, d.applies_to, d.cli_flag, d.doc);
    }
    return 0;
}
