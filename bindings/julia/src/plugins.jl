# Strategy plugins: what one says about itself.

"""
    describe_plugin(path_or_name) -> NamedTuple

Describes a strategy plugin without loading it into this process: `name`,
`version`, `description`, `path`, `metrics`, `default_metric`,
`parameters` (a `Vector{Parameter}`), `constraints` and `space` (a
`ParameterSpace` equal to the plugin's, ready to narrow). `BTOptError`
(`ERR_PLUGIN`) when it cannot be found, loaded or checked.
"""
function describe_plugin(path_or_name::AbstractString)
    out = Ref{Ptr{Cvoid}}(C_NULL)
    check(btopt_plugin_describe(out, path_or_name))
    info = out[]
    try
        metrics = [cstr(btopt_plugin_info_metric(info, i)) for i in 0:(Int(btopt_plugin_info_metric_count(info)) - 1)]
        default = Int(btopt_plugin_info_default_metric(info)) + 1
        space = read_space(btopt_plugin_info_space(info))
        return (name=cstr(btopt_plugin_info_name(info)),
                version=cstr(btopt_plugin_info_version(info)),
                description=cstr(btopt_plugin_info_description(info)),
                path=cstr(btopt_plugin_info_path(info)),
                metrics=metrics,
                default_metric=default <= length(metrics) ? metrics[default] : nothing,
                parameters=parameters(space),
                constraints=constraints(space),
                space=space)
    finally
        btopt_plugin_info_destroy(info)
    end
end
