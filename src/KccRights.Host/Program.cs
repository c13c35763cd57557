using KccRights.Host.Commands;

return await CommandLine.RunAsync(args);
