// The audit chain, tokens, roles and the access matrix live in Mlops.Hosting so every service shares them; every API file may use them.
global using Mlops.Hosting.Audit;
global using Mlops.Hosting.Identity;
